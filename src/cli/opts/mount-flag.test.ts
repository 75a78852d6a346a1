import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountFlag } from './mount-flag.ts';

test('--mount values become HostConfig.Mounts entries (docker/cli opts/mount.go)', () => {
  const cases: { in: string; want: object }[] = [
    { in: 'target=/data', want: { Type: 'volume', Target: '/data' } },
    { in: 'type=bind,src=/srv,dst=/x,readonly', want: { Type: 'bind', Source: '/srv', Target: '/x', ReadOnly: true } },
    { in: 'type=bind,source=/s,target=/t,bind-propagation=rshared,ro=false', want: { Type: 'bind', Source: '/s', Target: '/t', ReadOnly: false, BindOptions: { Propagation: 'rshared' } } },
    { in: 'source=v,target=/v,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs,volume-opt=device=tmpfs',
      want: { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { Labels: { a: 'b' }, NoCopy: true, DriverConfig: { Options: { type: 'tmpfs', device: 'tmpfs' } } } } },
    { in: 'type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770', want: { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 } } },
    { in: '"type=volume",target=/q', want: { Type: 'volume', Target: '/q' } },
  ];
  for (const c of cases) assert.deepEqual(parseMountFlag(c.in), c.want, c.in);
  const bad: { in: string; err: string }[] = [
    { in: 'type=bind,source=/s', err: 'target is required' },
    { in: 'type=bind,bogus', err: "invalid field 'bogus' must be a key=value pair" },
    { in: 'target=/t,colour=red', err: "unexpected key 'colour' in 'colour=red'" },
    { in: 'target=/t,ro=maybe', err: 'invalid value for ro: maybe' },
    { in: 'type=tmpfs,target=/t,tmpfs-mode=999', err: 'invalid value for tmpfs-mode: 999' },
    { in: 'type=bind,source=/s,target=/t,volume-nocopy', err: "cannot mix 'volume-*' options with mount type 'bind'" },
    { in: 'type=volume,target=/t,tmpfs-size=1m', err: "cannot mix 'tmpfs-*' options with mount type 'volume'" },
  ];
  for (const c of bad) assert.throws(() => parseMountFlag(c.in), (e: Error) => { assert.equal(e.message, c.err); return true; }, c.in);
});
