import { test } from 'node:test';
import assert from 'node:assert/strict';
import { volumeNameProblem } from './volume-name.ts';
import { localOptionsProblem, mountArgs, needsMount } from './local-options.ts';
import { listFilter, pruneFilter, type VolumeFacts } from './volume-filters.ts';

test('volume names follow Docker\'s [a-zA-Z0-9][a-zA-Z0-9_.-]+ and cannot leave the volumes directory', () => {
  const cases: { name: string; ok: boolean }[] = [
    { name: 'data', ok: true }, { name: 'my_vol-1.2', ok: true }, { name: 'a1', ok: true },
    { name: 'a', ok: false }, { name: '..', ok: false }, { name: '.hidden', ok: false }, { name: '-x', ok: false },
    { name: 'a/b', ok: false }, { name: '../../etc', ok: false }, { name: 'a b', ok: false }, { name: 'ab/..', ok: false },
  ];
  for (const c of cases) assert.equal(volumeNameProblem(c.name) === null, c.ok, c.name);
  assert.equal(volumeNameProblem('x/y'),
    '"x/y" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
  assert.match(volumeNameProblem('a')!, /too short/);
});

test('local driver options: type/device/o, with Docker\'s required pairs', () => {
  const cases: { opts: Record<string, string>; want: string | null }[] = [
    { opts: {}, want: null },
    { opts: { type: 'tmpfs', device: 'tmpfs', o: 'size=10m' }, want: null },
    { opts: { type: 'none', device: '/srv', o: 'bind' }, want: null },
    { opts: { bogus: '1' }, want: 'invalid option: "bogus"' },
    { opts: { type: 'tmpfs' }, want: 'missing required option: "device"' },
    { opts: { device: '/dev/sdb1' }, want: 'missing required option: "type"' },
    { opts: { o: 'ro' }, want: 'missing required option: "device"' },
    { opts: { size: '10m' }, want: 'quota size requested but no quota support' },
  ];
  for (const c of cases) assert.equal(localOptionsProblem(c.opts), c.want, JSON.stringify(c.opts));
  assert.equal(needsMount(null), false);
  assert.equal(needsMount({ type: 'tmpfs', device: 'tmpfs' }), true);
  assert.deepEqual(mountArgs({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, '/v/_data'), ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', '/v/_data']);
  assert.deepEqual(mountArgs({ type: 'ext4', device: '/dev/sdb1' }, '/p'), ['-t', 'ext4', '/dev/sdb1', '/p']);
});

test('list filters: dangling, name (regexp), driver, label, label!', () => {
  const vols: VolumeFacts[] = [
    { name: 'web-data', driver: 'local', labels: { app: 'web' }, inUse: true },
    { name: 'db-data', driver: 'local', labels: { app: 'db', tier: 'back' }, inUse: false },
    { name: 'cache', driver: 'local', labels: {}, inUse: false },
  ];
  const names = (f: Record<string, string[]>): string[] => vols.filter(listFilter(f)).map((v) => v.name);
  assert.deepEqual(names({}), ['web-data', 'db-data', 'cache']);
  assert.deepEqual(names({ dangling: ['true'] }), ['db-data', 'cache']);
  assert.deepEqual(names({ dangling: ['0'] }), ['web-data']);
  assert.deepEqual(names({ name: ['data'] }), ['web-data', 'db-data']);
  assert.deepEqual(names({ name: ['^db'] }), ['db-data']);
  assert.deepEqual(names({ driver: ['local'] }), ['web-data', 'db-data', 'cache']);
  assert.deepEqual(names({ driver: ['nfs'] }), []);
  assert.deepEqual(names({ label: ['app'] }), ['web-data', 'db-data']);
  assert.deepEqual(names({ label: ['app=db', 'tier'] }), ['db-data']);
  assert.deepEqual(names({ 'label!': ['app'] }), ['cache']);
  assert.throws(() => listFilter({ bogus: ['1'] }), /invalid filter 'bogus'/);
  assert.throws(() => listFilter({ dangling: ['maybe'] }), /invalid filter 'dangling=maybe'/);
});

test('prune filters: all, label, label!; anything else is refused', () => {
  assert.equal(pruneFilter({}).all, false);
  assert.equal(pruneFilter({ all: ['true'] }).all, true);
  assert.equal(pruneFilter({ all: ['0'] }).all, false);
  const p = pruneFilter({ label: ['keep=no'], 'label!': ['pin'] });
  assert.equal(p.matches({ name: 'a', driver: 'local', labels: { keep: 'no' }, inUse: false }), true);
  assert.equal(p.matches({ name: 'a', driver: 'local', labels: { keep: 'no', pin: '' }, inUse: false }), false);
  assert.throws(() => pruneFilter({ dangling: ['true'] }), /invalid filter 'dangling'/);
});
