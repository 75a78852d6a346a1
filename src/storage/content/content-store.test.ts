import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ContentStore } from './content-store.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function withStore(fn: (s: ContentStore, root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'berth-test-content-'));
  try {
    const s = new ContentStore(root);
    await s.init();
    await fn(s, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('content: a blob is written to ingest, verified, then renamed in under its digest', async () => {
  await withStore(async (s, root) => {
    const data = Buffer.from('hello blob');
    const w = s.writer();
    assert.ok(w.path.startsWith(join(root, 'content', 'ingest')));
    await w.write(data);
    const digest = await w.commit(sha(data), data.length);
    assert.equal(digest, sha(data));
    assert.equal(readFileSync(s.blobPath(digest), 'utf8'), 'hello blob');
    assert.deepEqual(readdirSync(join(root, 'content', 'ingest')), []);
  });
});

test('content: a size or digest mismatch publishes nothing and leaves no temp file', async () => {
  await withStore(async (s, root) => {
    const data = Buffer.from('some bytes');
    const w1 = s.writer();
    await w1.write(data);
    await assert.rejects(w1.commit(sha(data), data.length + 1), /size mismatch: expected 11 bytes, got 10/);
    const w2 = s.writer();
    await w2.write(data);
    await assert.rejects(w2.commit(sha(Buffer.from('other'))), /digest mismatch/);
    assert.deepEqual(readdirSync(join(root, 'content', 'ingest')), []);
    assert.deepEqual(readdirSync(join(root, 'content', 'blobs', 'sha256')), []);
    assert.equal(await s.size(sha(data)), null);
  });
});

test('content: init sweeps what a crash left in ingest; an aborted writer leaves nothing', async () => {
  await withStore(async (s, root) => {
    writeFileSync(join(root, 'content', 'ingest', 'leftover'), 'half a blob');
    const again = new ContentStore(root);
    await again.init();
    assert.deepEqual(readdirSync(join(root, 'content', 'ingest')), []);
    const w = s.writer();
    await w.write(Buffer.from('x'));
    await w.abort();
    assert.deepEqual(readdirSync(join(root, 'content', 'ingest')), []);
  });
});

test('content: gcLayers keeps the blobs of layers in use', async () => {
  await withStore(async (s) => {
    const blobs: string[] = [];
    for (const t of ['a', 'b']) {
      const w = s.writer();
      await w.write(Buffer.from(t));
      blobs.push(await w.commit());
    }
    const [da, db] = ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)];
    await s.addLayerBlob(da, { digest: blobs[0]!, mediaType: 'x', size: 1 });
    await s.addLayerBlob(db, { digest: blobs[1]!, mediaType: 'x', size: 1 });
    assert.equal(await s.gcLayers(new Set([da])), 1);
    assert.equal(await s.size(blobs[0]!), 1);
    assert.equal(await s.size(blobs[1]!), null);
  });
});

test('content: a blob known only by where it is (a pull keeps no copy) is listed by knownLayerBlobs, not layerBlobs, and gc drops its record', async () => {
  await withStore(async (s) => {
    const diffId = 'sha256:' + 'c'.repeat(64);
    const remote = { digest: 'sha256:' + 'd'.repeat(64), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, sources: ['127.0.0.1:5000/a/b'] };
    await s.addLayerBlob(diffId, remote);
    assert.deepEqual(await s.layerBlobs(diffId), []);
    assert.deepEqual(await s.knownLayerBlobs(diffId), [remote]);
    // Pushed to another repository: the source is added to the same record.
    await s.addLayerBlob(diffId, { ...remote, sources: ['127.0.0.1:5000/c/d'] });
    assert.deepEqual((await s.knownLayerBlobs(diffId))[0]!.sources, ['127.0.0.1:5000/a/b', '127.0.0.1:5000/c/d']);
    assert.equal(await s.gcLayers(new Set()), 1);
    assert.deepEqual(await s.knownLayerBlobs(diffId), []);
  });
});
