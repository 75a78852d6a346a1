import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm, readdir, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerStore } from '../layer/index.ts';
import { CacheMounts, stripMountStubs } from './run-mounts.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-run-mounts-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('cache mounts: made once and filled, shared, private, locked, pruned', () => withDir(async (dir) => {
  const c = new CacheMounts(join(dir, 'cache'));
  let fills = 0;
  const fill = async (d: string): Promise<void> => { fills++; await writeFile(join(d, 'seed'), 'x'); };
  const a = await c.acquire('k', 'shared', fill);
  const b = await c.acquire('k', 'shared', fill);
  assert.equal(a.path, b.path);
  assert.equal(fills, 1);
  assert.deepEqual(await readdir(a.path), ['seed']);
  // private while in use: another instance.
  const p = await c.acquire('k', 'private', fill);
  assert.notEqual(p.path, a.path);
  a.release(); b.release(); p.release();
  const p2 = await c.acquire('k', 'private', fill);
  assert.equal(p2.path, a.path);
  p2.release();
  // locked: the second waits for the first's release.
  const l1 = await c.acquire('k', 'locked', fill);
  let second = false;
  const l2p = c.acquire('k', 'locked', fill).then((h) => { second = true; return h; });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(second, false);
  l1.release();
  const l2 = await l2p;
  assert.equal(second, true);
  // prune skips what is in use and what was used after `before`.
  assert.deepEqual((await c.prune(0)).names, []);
  const usage = await c.usage();
  assert.deepEqual(usage.map((u) => [u.name, u.inUse, u.size > 0]), [['k', true, true], ['k.1', false, true]]);
  assert.equal(usage[0]!.usageCount, 5);
  const pruned = await c.prune();
  assert.deepEqual(pruned.names, ['k.1']);
  assert.equal(pruned.bytes, usage[1]!.size);
  l2.release();
  assert.deepEqual((await c.prune()).names, ['k']);
  assert.deepEqual((await readdir(join(dir, 'cache'))).filter((n) => !n.startsWith('.')), []);
  assert.deepEqual(await readdir(join(dir, 'cache', '.meta')), []);
}));

test('a build waiting on a locked cache mount gives up when cancelled; the lock passes on', () => withDir(async (dir) => {
  const c = new CacheMounts(join(dir, 'cache'));
  const fill = async (): Promise<void> => undefined;
  const holder = await c.acquire('k', 'locked', fill);
  const ac = new AbortController();
  const waiting = c.acquire('k', 'locked', fill, { signal: ac.signal });
  let third = false;
  const thirdP = c.acquire('k', 'locked', fill).then((h) => { third = true; return h; });
  await new Promise((r) => setTimeout(r, 30));
  ac.abort();
  await assert.rejects(waiting, /cancelled while waiting for a locked cache mount/);
  assert.equal(third, false);
  holder.release();
  const h3 = await thirdP;
  assert.equal(third, true);
  h3.release();
  // Already cancelled: does not wait at all.
  await assert.rejects(c.acquire('k', 'locked', fill, { signal: AbortSignal.abort() }), /cancelled/);
  const again = await c.acquire('k', 'locked', fill);
  again.release();
}));

test('mount stubs: made-up mount points leave the upper dir, real changes stay', () => withDir(async (dir) => {
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  await mkdir(join(lower, 'root'), { recursive: true });
  await mkdir(join(lower, 'etc'), { recursive: true });
  const layers = { cacheChain: () => ['l'], driver: { diffPath: () => lower } } as unknown as LayerStore;
  // /run/secrets/tok: all new, empty -> gone. /root/.cache: /root copied up unchanged -> gone.
  await mkdir(join(upper, 'run/secrets'), { recursive: true });
  await writeFile(join(upper, 'run/secrets/tok'), '');
  await mkdir(join(upper, 'root/.cache'), { recursive: true });
  const lst = await stat(join(lower, 'root'));
  await utimes(join(upper, 'root'), lst.atime, lst.mtime);
  // /etc/app/conf: the step also wrote /etc/app/other -> /etc/app stays.
  await mkdir(join(upper, 'etc/app'), { recursive: true });
  await writeFile(join(upper, 'etc/app/conf'), '');
  await writeFile(join(upper, 'etc/app/other'), 'data');
  // /data: a target the step's own files sit beside.
  await mkdir(join(upper, 'data/cache'), { recursive: true });
  await writeFile(join(upper, 'data/keep'), 'k');
  await stripMountStubs(upper, ['/run/secrets/tok', '/root/.cache', '/etc/app/conf', '/data/cache'], layers, 'top');
  assert.deepEqual((await readdir(upper)).sort(), ['data', 'etc']);
  assert.deepEqual(await readdir(join(upper, 'etc/app')), ['other']);
  assert.deepEqual(await readdir(join(upper, 'data')), ['keep']);
}));
