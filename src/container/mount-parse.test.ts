import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBind, parseMount, parseVolumesFrom, planMounts, tmpfsData, validMountMode, type MountRecord } from './mount-parse.ts';
import type { Mount } from '../api/types/index.ts';

test('-v specs: named volumes, host binds, modes (ParseMountRaw)', () => {
  const cases: { raw: string; want: Partial<MountRecord> }[] = [
    { raw: 'data:/data', want: { type: 'volume', name: 'data', destination: '/data', rw: true, mode: 'z', copyData: true, driver: 'local' } },
    { raw: 'data:/data:ro', want: { type: 'volume', name: 'data', rw: false, mode: 'ro' } },
    { raw: 'data:/data:nocopy', want: { type: 'volume', copyData: false, mode: 'nocopy' } },
    { raw: '/data', want: { type: 'volume', name: '', destination: '/data', mode: '' } },
    { raw: '/srv/x:/x', want: { type: 'bind', source: '/srv/x', destination: '/x', rw: true, propagation: 'rprivate', createHostPath: true, mode: '' } },
    { raw: '/srv/x/:/x/:ro,z', want: { type: 'bind', source: '/srv/x', destination: '/x', rw: false, mode: 'ro,z' } },
    { raw: '/srv:/mnt:rshared', want: { type: 'bind', propagation: 'rshared' } },
    { raw: '/srv:/mnt/../opt', want: { destination: '/opt' } },
  ];
  for (const c of cases) {
    const got = parseBind(c.raw);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof MountRecord], v, `${c.raw} ${k}`);
  }
});

test('-v specs that Docker refuses, with its wording', () => {
  const cases: { raw: string; err: string }[] = [
    { raw: '', err: "invalid volume specification: ''" },
    { raw: '/foo:rw', err: "invalid volume specification: '/foo:rw'" },
    { raw: 'a:b:c:d', err: "invalid volume specification: 'a:b:c:d'" },
    { raw: '/a:/b:bogus', err: 'invalid mode: bogus' },
    { raw: '/a:/b:ro,rw', err: 'invalid mode: ro,rw' },
    { raw: '/a:/', err: `invalid volume specification: '/a:/': invalid mount config for type "bind": invalid specification: destination can't be '/'` },
    { raw: 'vol:rel', err: `invalid volume specification: 'vol:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute` },
  ];
  for (const c of cases) assert.throws(() => parseBind(c.raw), (e: Error) => { assert.equal(e.message, c.err); return true; }, c.raw);
});

test('--mount specs (ParseMountSpec)', () => {
  const ok: { m: Mount; want: Partial<MountRecord> }[] = [
    { m: { Type: 'bind', Source: '/srv', Target: '/x', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      want: { type: 'bind', source: '/srv', rw: false, propagation: 'rslave', createHostPath: false } },
    { m: { Type: 'bind', Source: '/srv', Target: '/x', BindOptions: { NonRecursive: true } }, want: { nonRecursive: true, propagation: 'rprivate' } },
    { m: { Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } } },
      want: { type: 'volume', name: 'v1', copyData: false, create: { driverOpts: { type: 'tmpfs', device: 'tmpfs' }, labels: null } } },
    { m: { Type: 'volume', Target: '/anon' }, want: { name: '', copyData: true, mode: '' } },
    { m: { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 } }, want: { type: 'tmpfs', tmpfsOptions: 'mode=1770,size=64m' } },
    { m: { Type: 'tmpfs', Target: '/t', ReadOnly: true }, want: { tmpfsOptions: 'ro', rw: false } },
  ];
  for (const c of ok) {
    const got = parseMount(c.m);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k as keyof MountRecord], v, `${JSON.stringify(c.m)} ${k}`);
  }
  const bad: { m: Mount; err: RegExp }[] = [
    { m: { Type: 'bind', Target: '/x' }, err: /invalid mount config for type "bind": field Source must not be empty$/ },
    { m: { Type: 'bind', Source: 'rel', Target: '/x' }, err: /type "bind": invalid mount path: 'rel' mount path must be absolute/ },
    { m: { Type: 'bind', Source: '/s', Target: '/x', BindOptions: { Propagation: 'weird' } }, err: /invalid propagation mode: weird/ },
    { m: { Type: 'bind', Source: '/s', Target: '/x', VolumeOptions: {} }, err: /field VolumeOptions must not be specified/ },
    { m: { Type: 'volume', Source: 'v', Target: '/x', TmpfsOptions: {} }, err: /type "volume": field TmpfsOptions must not be specified/ },
    { m: { Type: 'tmpfs', Source: 'x', Target: '/x' }, err: /type "tmpfs": field Source must not be specified/ },
    { m: { Type: 'volume', Source: 'v' }, err: /field Target must not be empty/ },
    { m: { Type: 'volume', Source: 'v', Target: '/' }, err: /destination can't be '\/'/ },
    { m: { Type: 'weird', Target: '/x' }, err: /invalid mount config for type "weird": mount type unknown$/ },
    { m: { Type: 'image', Source: 'busybox', Target: '/x' }, err: /not supported/ },
  ];
  for (const c of bad) assert.throws(() => parseMount(c.m), c.err, JSON.stringify(c.m));
});

test('tmpfs options, volumes-from modes, mount modes', () => {
  assert.equal(tmpfsData({ SizeBytes: 1000 }, false), 'size=1000');
  assert.equal(tmpfsData({ SizeBytes: 2048, Options: [['exec']] }, false), 'size=2k,exec');
  assert.throws(() => tmpfsData({ Options: [['suid']] }, false), /invalid option: suid/);
  assert.deepEqual(parseVolumesFrom('db'), { ref: 'db', mode: 'rw' });
  assert.deepEqual(parseVolumesFrom('db:ro'), { ref: 'db', mode: 'ro' });
  assert.throws(() => parseVolumesFrom('db:rshared'), /invalid mode: rshared/);
  assert.throws(() => parseVolumesFrom('db:nocopy'), /invalid mode: nocopy/);
  assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
  for (const m of ['', 'ro', 'rw,z', 'ro,Z,rslave,nocopy,cached']) assert.ok(validMountMode(m), m);
  for (const m of ['x', 'ro,ro', 'z,Z', 'shared,slave']) assert.ok(!validMountMode(m), m);
});

test('planMounts: precedence, anonymous volumes, duplicates', () => {
  const from: MountRecord = { type: 'volume', destination: '/shared', source: '', name: 'sv', driver: 'local', rw: true, mode: 'z', propagation: '', copyData: true, createHostPath: false };
  const fromBind: MountRecord = { type: 'bind', destination: '/cfg', source: '/etc/app', name: '', driver: '', rw: true, mode: '', propagation: 'rprivate', copyData: false, createHostPath: true };
  const plan = planMounts({
    binds: ['named:/data', '/srv:/cfg:ro'], mounts: [{ Type: 'tmpfs', Target: '/scratch' }], tmpfs: ['/run'],
    volumes: ['/data', '/logs', '/run', '/shared'], volumesFrom: [{ mounts: [from, fromBind], mode: 'ro' }],
  });
  const byDest = Object.fromEntries(plan.map((m) => [m.destination, m]));
  assert.deepEqual(Object.keys(byDest).sort(), ['/cfg', '/data', '/logs', '/scratch', '/shared']);
  assert.equal(byDest['/shared']!.rw, false, 'volumes-from :ro makes the mount read-only');
  assert.equal(byDest['/shared']!.copyData, false);
  assert.equal(byDest['/cfg']!.source, '/srv', 'a bind replaces the volumes-from mount at the same place');
  assert.equal(byDest['/data']!.name, 'named', 'Config.Volumes does not replace a bind');
  assert.equal(byDest['/logs']!.name, '', 'an anonymous volume');
  const dup = (input: Partial<Parameters<typeof planMounts>[0]>, dest: string): void => {
    assert.throws(() => planMounts({ binds: [], mounts: [], tmpfs: [], volumes: [], volumesFrom: [], ...input }),
      (e: Error) => { assert.equal(e.message, `Duplicate mount point: ${dest}`); return true; });
  };
  dup({ binds: ['a:/x', '/h:/x'] }, '/x');
  dup({ binds: ['a:/x/'], mounts: [{ Type: 'volume', Target: '/x' }] }, '/x');
  dup({ binds: ['a:/t'], tmpfs: ['/t'] }, '/t');
  assert.throws(() => planMounts({ binds: [], mounts: [], tmpfs: ['/'], volumes: [], volumesFrom: [] }), /destination can't be '\/'/);
});
