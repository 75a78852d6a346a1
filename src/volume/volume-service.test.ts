// VolumeService against a temp directory (no root needed: no driver options that mount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, kindOf } from '../lib/index.ts';
import { EventBus } from '../events/index.ts';
import { VolumeService, ANONYMOUS_LABEL } from './volume-service.ts';

async function withService(fn: (s: VolumeService, root: string, events: EventBus) => Promise<void>): Promise<void> {
  const root = mkdtempSync('/tmp/berth-test-volsvc-');
  try {
    const events = new EventBus();
    const s = new VolumeService(root, events, silentLogger);
    await s.init();
    await fn(s, root, events);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('create writes volumes/<name>/{volume.json,_data} and inspect has Docker\'s shape', () => withService(async (s, root, events) => {
  const seen: string[] = [];
  events.subscribe((e) => seen.push(`${e.Type}:${e.Action}:${e.Actor.ID}`));
  const v = await s.create({ Name: 'berth-test-a', Labels: { x: 'y' } });
  assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(v.Mountpoint, join(root, 'volumes/berth-test-a/_data'));
  assert.equal(v.Driver, 'local');
  assert.equal(v.Scope, 'local');
  assert.deepEqual(v.Labels, { x: 'y' });
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(existsSync(join(root, 'volumes/berth-test-a/volume.json')));
  assert.deepEqual(seen, ['volume:create:berth-test-a']);
  // Creating it again returns the same volume (Docker's create is idempotent by name).
  const again = await s.create({ Name: 'berth-test-a' });
  assert.equal(again.CreatedAt, v.CreatedAt);
  assert.deepEqual(seen, ['volume:create:berth-test-a']);
  const gen = await s.create({});
  assert.match(gen.Name, /^[0-9a-f]{64}$/);
}));

test('bad names, drivers and options are refused before anything is written', () => withService(async (s, root) => {
  const bad = async (req: Parameters<VolumeService['create']>[0], kind: string, re: RegExp): Promise<void> => {
    await assert.rejects(s.create(req), (e: unknown) => { assert.equal(kindOf(e), kind); assert.match((e as Error).message, re); return true; });
  };
  await bad({ Name: '../escape' }, 'invalid-argument', /^create \.\.\/escape: "\.\.\/escape" includes invalid characters/);
  await bad({ Name: 'x' }, 'invalid-argument', /too short/);
  await bad({ Name: 'berth-test-d', Driver: 'nfsplugin' }, 'not-found', /error looking up volume plugin nfsplugin: plugin "nfsplugin" not found/);
  await bad({ Name: 'berth-test-o', DriverOpts: { nope: '1' } }, 'invalid-argument', /create berth-test-o: invalid option: "nope"/);
  assert.deepEqual(readdirSync(join(root, 'volumes')), []);
}));

test('a referenced volume is never removed; releasing it allows removal; data goes with it', () => withService(async (s, root) => {
  await s.create({ Name: 'berth-test-used' });
  writeFileSync(join(s.dataPath('berth-test-used'), 'f'), 'data');
  const name = await s.acquire('berth-test-used', 'c1');
  assert.equal(name, 'berth-test-used');
  await s.acquire('berth-test-used', 'c2');
  await assert.rejects(s.remove('berth-test-used', false), (e: unknown) => {
    assert.equal(kindOf(e), 'conflict');
    assert.equal((e as Error).message, 'remove berth-test-used: volume is in use - [c1, c2]');
    return true;
  });
  await assert.rejects(s.remove('berth-test-used', true), /in use/);
  assert.equal(s.list({ dangling: ['true'] }).Volumes.length, 0);
  await s.release('berth-test-used', 'c1', true);
  await s.release('berth-test-used', 'c2', true);
  assert.ok(s.has('berth-test-used'), 'a named volume survives release with removeAnonymous');
  await s.remove('berth-test-used', false);
  assert.ok(!existsSync(join(root, 'volumes/berth-test-used')));
  await assert.rejects(s.remove('berth-test-used', false), /^Error: get berth-test-used: no such volume$|get berth-test-used: no such volume/);
  await s.remove('berth-test-used', true);
  assert.throws(() => s.inspect('nope'), /get nope: no such volume/);
}));

test('anonymous volumes: labelled, removed with the last container when asked, pruned by default', () => withService(async (s, _root, events) => {
  const anon = await s.acquire(null, 'c1');
  assert.match(anon, /^[0-9a-f]{64}$/);
  assert.deepEqual(s.inspect(anon).Labels, { [ANONYMOUS_LABEL]: '' });
  await s.create({ Name: 'berth-test-named' });
  const anon2 = await s.acquire(null, 'c2');
  await s.release(anon2, 'c2', false);
  // prune: anonymous and unused only; `all` takes named ones too.
  const pruneEvents: string[] = [];
  events.subscribe((e) => { if (e.Action === 'prune') pruneEvents.push(`${e.Type}:${e.Actor.Attributes.reclaimed}`); });
  const p = await s.prune({});
  assert.deepEqual(p.VolumesDeleted, [anon2]);
  assert.deepEqual(pruneEvents, ['volume:0']);
  assert.ok(s.has(anon) && s.has('berth-test-named'));
  await s.release(anon, 'c1', true);
  assert.ok(!s.has(anon));
  const p2 = await s.prune({ all: ['true'], label: ['nothing'] });
  assert.equal(p2.VolumesDeleted, null);
  const p3 = await s.prune({ all: ['true'] });
  assert.deepEqual(p3.VolumesDeleted, ['berth-test-named']);
}));

test('init reloads records and finishes interrupted creations and removals', async () => {
  const root = mkdtempSync('/tmp/berth-test-volsvc-');
  try {
    const s = new VolumeService(root, new EventBus(), silentLogger);
    await s.init();
    await s.create({ Name: 'berth-test-keep', Labels: { a: 'b' } });
    writeFileSync(join(s.dataPath('berth-test-keep'), 'f'), 'x');
    mkdirSync(join(root, 'volumes/.tmp-abc/_data'), { recursive: true });
    mkdirSync(join(root, 'volumes/.rm-old-1234/_data'), { recursive: true });
    const s2 = new VolumeService(root, new EventBus(), silentLogger);
    await s2.init();
    assert.deepEqual(s2.inspect('berth-test-keep').Labels, { a: 'b' });
    assert.deepEqual(readdirSync(join(root, 'volumes')), ['berth-test-keep']);
    const usage = await s2.usage();
    assert.deepEqual(usage[0]!.UsageData, { Size: 1, RefCount: 0 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('mount/unmount events; a release that overtakes the unmount still unmounts', () => withService(async (s, _root, events) => {
  const seen: string[] = [];
  events.subscribe((e) => seen.push(`${e.Action}:${e.Actor.Attributes.container ?? ''}`));
  await s.acquire('berth-test-ev', 'c1');
  assert.equal(await s.mount('berth-test-ev', 'c1', { destination: '/d' }), s.dataPath('berth-test-ev'));
  await s.unmount('berth-test-ev', 'c1');
  await s.unmount('berth-test-ev', 'c1');
  await s.mount('berth-test-ev', 'c1', {});
  await s.release('berth-test-ev', 'c1', false);
  await s.unmount('berth-test-ev', 'c1');
  assert.deepEqual(seen, ['create:', 'mount:c1', 'unmount:c1', 'mount:c1', 'unmount:c1']);
  await assert.rejects(s.mount('berth-test-none', 'c1', {}), /get berth-test-none: no such volume/);
}));
