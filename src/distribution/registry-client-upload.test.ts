// The upload side of RegistryClient against a small local HTTP server: the streamed upload is
// one chunked PATCH (no Content-Length, no Content-Range), the finishing PUT carries the
// digest and no body, a cancel is a DELETE that never throws, and a failed answer is read
// once (no hang, the registry's wording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { RegistryClient } from './registry-client.ts';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }

async function withServer(handler: (s: Seen) => { status: number; headers?: Record<string, string>; body?: string }, fn: (c: RegistryClient, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) };
      seen.push(s);
      const a = handler(s);
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    await fn(new RegistryClient({ host: `127.0.0.1:${port}`, path: 'berth-test/up', insecure: true, retries: 0 }), seen);
  } finally {
    server.close();
  }
}

test('upload: POST, one chunked PATCH of a stream, PUT ?digest= with no body', async () => {
  await withServer((s) => {
    if (s.method === 'GET') return { status: 200 };
    if (s.method === 'POST') return { status: 202, headers: { Location: '/v2/berth-test/up/blobs/uploads/u1' } };
    if (s.method === 'PATCH') return { status: 202, headers: { Location: '/v2/berth-test/up/blobs/uploads/u1?state=x' } };
    return { status: 201 };
  }, async (c, seen) => {
    const loc = await c.startUpload();
    assert.equal(loc, '/v2/berth-test/up/blobs/uploads/u1');
    const data = [Buffer.alloc(100_000, 1), Buffer.alloc(50_000, 2)];
    const next = await c.patchUpload(loc, Readable.from(data));
    assert.equal(next, '/v2/berth-test/up/blobs/uploads/u1?state=x');
    await c.finishUpload(next, 'sha256:' + 'a'.repeat(64));
    const patch = seen.find((s) => s.method === 'PATCH')!;
    assert.equal(patch.headers['transfer-encoding'], 'chunked');
    assert.equal(patch.headers['content-range'], undefined);
    assert.deepEqual(patch.body, Buffer.concat(data));
    const put = seen.find((s) => s.method === 'PUT')!;
    assert.equal(put.url, `/v2/berth-test/up/blobs/uploads/u1?state=x&digest=sha256%3A${'a'.repeat(64)}`);
    assert.equal(put.headers['content-length'], '0');
    assert.equal(put.body.length, 0);
  });
});

test('upload: a failed answer is the registry\'s error, read once (no hang); cancel is a DELETE that never throws', async () => {
  const doc = JSON.stringify({ errors: [{ code: 'DENIED', message: 'berth-test: no uploads here' }] });
  await withServer((s) => {
    if (s.method === 'GET') return { status: 200 };
    if (s.method === 'HEAD') return { status: 403, headers: { 'Content-Type': 'application/json' } };
    if (s.method === 'DELETE') return { status: 500 };
    return { status: 403, headers: { 'Content-Type': 'application/json' }, body: doc };
  }, async (c, seen) => {
    await assert.rejects(c.startUpload(), /denied: berth-test: no uploads here/);
    await assert.rejects(c.blobExists('sha256:' + 'b'.repeat(64)), /denied/);
    await assert.rejects(c.mount('sha256:' + 'b'.repeat(64), 'berth-test/other'), /denied: berth-test: no uploads here/);
    await assert.rejects(c.patchUpload('/v2/berth-test/up/blobs/uploads/u2', Readable.from([Buffer.from('x')])), /denied: berth-test: no uploads here/);
    await c.cancelUpload('/v2/berth-test/up/blobs/uploads/u2');
    assert.ok(seen.some((s) => s.method === 'DELETE' && s.url === '/v2/berth-test/up/blobs/uploads/u2'));
  });
});
