// The layer store's crash and GC rules, on a temp data root (no mounts needed): what a kill
// at each step of registering or deleting a layer leaves, and what init() makes of it;
// leases keep fresh layers from gc; a tar that escapes is refused with nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';
import { silentLogger } from '../lib/index.ts';
import { LayerStore } from './layer-store.ts';

async function tarOf(entries: { name: string; body?: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    await new Promise<void>((res, rej) => pack.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) },
      e.type === 'symlink' ? undefined as unknown as string : (e.body ?? ''), (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync('/tmp/berth-test-layers-');
  try { await fn(root); } finally { rmSync(root, { recursive: true, force: true }); }
}

// Removed layers are renamed *-removing and freed in the background.
const dirs = (root: string): string[] => readdirSync(join(root, 'overlay2')).filter((n) => n !== 'l' && !n.endsWith('-removing')).sort();

test('layer store: applyTar registers a layer; its size is the bytes of its files (Docker\'s)', async () => {
  await withRoot(async (root) => {
    const s = new LayerStore(root, silentLogger);
    await s.init();
    const rec = await s.applyTar(null, Readable.from([await tarOf([{ name: 'a', body: '12345' }, { name: 'l', type: 'symlink', linkname: 'a' }])]));
    assert.equal(rec.size, 6); // 5 bytes of file + 1 byte of symlink target
    assert.deepEqual(dirs(root), [rec.cacheId]);
    assert.equal(existsSync(join(root, 'overlay2', rec.cacheId, 'staged')), false);
  });
});

test('layer store: a crash before the record leaves a marked dir that init removes', async () => {
  await withRoot(async (root) => {
    const s = new LayerStore(root, silentLogger);
    await s.init();
    const rec = await s.applyTar(null, Readable.from([await tarOf([{ name: 'a', body: 'x' }])]));
    // Simulate: the dir was made and marked, the record never written.
    writeFileSync(join(root, 'overlay2', rec.cacheId, 'staged'), '');
    rmSync(join(root, 'layer', 'sha256', rec.chainId.slice(7)), { recursive: true });
    const again = new LayerStore(root, silentLogger);
    await again.init();
    assert.deepEqual(dirs(root), []);
    assert.equal(again.get(rec.chainId), undefined);
  });
});

test('layer store: a crash after the driver took the dir but before the record: the start-up orphan check removes the dir', async () => {
  await withRoot(async (root) => {
    const s = new LayerStore(root, silentLogger);
    await s.init();
    const rec = await s.applyTar(null, Readable.from([await tarOf([{ name: 'a', body: 'x' }])]));
    rmSync(join(root, 'layer', 'sha256', rec.chainId.slice(7)), { recursive: true, force: true });
    const again = new LayerStore(root, silentLogger);
    await again.init();
    assert.equal(again.get(rec.chainId), undefined);
    assert.deepEqual(await again.removeOrphans(() => false), [rec.cacheId]);
    assert.deepEqual(dirs(root), []);
  });
});

test('layer store: a crash in gc after the record was renamed away leaves no orphan dir', async () => {
  await withRoot(async (root) => {
    const s = new LayerStore(root, silentLogger);
    await s.init();
    const rec = await s.applyTar(null, Readable.from([await tarOf([{ name: 'a', body: 'x' }])]));
    const hex = rec.chainId.slice(7);
    renameSync(join(root, 'layer', 'sha256', hex), join(root, 'layer', 'sha256', `${hex}.tmp`));
    const again = new LayerStore(root, silentLogger);
    await again.init();
    assert.deepEqual(dirs(root), []);
    assert.deepEqual(readdirSync(join(root, 'layer', 'sha256')), []);
  });
});

test('layer store: a lease keeps layers registered under it from gc until released', async () => {
  await withRoot(async (root) => {
    const s = new LayerStore(root, silentLogger);
    await s.init();
    const lease = s.lease();
    const rec = await s.applyTar(null, Readable.from([await tarOf([{ name: 'a', body: 'leased' }])]));
    assert.equal(await s.gc([]), 0);
    assert.ok(s.get(rec.chainId));
    lease.release();
    assert.equal(await s.gc([]), 1);
    assert.equal(s.get(rec.chainId), undefined);
    assert.deepEqual(dirs(root), []);
  });
});

for (const [name, entries, want] of [
  ['..', [{ name: 'ok', body: '1' }, { name: '../escape', body: 'x' }], /"\.\.\/escape" climbs out of the layer/],
  ['absolute path', [{ name: '/tmp/berth-test-abs-escape', body: 'x' }], /has an absolute path/],
  ['symlink escape', [{ name: 'link', type: 'symlink', linkname: '/tmp' }, { name: 'link/berth-test-sym-escape', body: 'x' }], /goes through the symlink "link"/],
] as const) {
  test(`layer store: a tar with a ${name} is refused and nothing is written`, async () => {
    await withRoot(async (root) => {
      const s = new LayerStore(root, silentLogger);
      await s.init();
      await assert.rejects(s.applyTar(null, Readable.from([await tarOf(entries as never)])), want);
      assert.deepEqual(dirs(root), []);
      assert.deepEqual(readdirSync(join(root, 'layer', 'sha256')), []);
      assert.equal(existsSync('/tmp/berth-test-sym-escape'), false);
      assert.equal(existsSync('/tmp/escape'), false);
    });
  });
}
