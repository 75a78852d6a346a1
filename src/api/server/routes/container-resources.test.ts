import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError } from '../../../lib/index.ts';
import type { ContainerStatsResponse, UpdateConfig } from '../../types/index.ts';
import { ApiServer } from '../server.ts';
import { containerResourcesRoutes } from './container-resources.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;

async function serve(frames: () => AsyncGenerator<ContainerStatsResponse>, updates: UpdateConfig[] = []): Promise<{ sock: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-stats-route-'));
  const sock = join(dir, 's.sock');
  const api = new ApiServer({ serverVersion: 'test', log: silent });
  api.addRoutes(containerResourcesRoutes({
    stats: (ref) => { if (ref === 'nosuch') throw new NotFoundError('No such container: nosuch'); return frames(); },
    update: async (_ref, u) => { updates.push(u); return { Warnings: [] }; },
  }, { slowClientMs: 300 }));
  api.addRoutes([{ method: 'GET', path: '/_ping', handler: (x) => { x.sendText(200, 'OK'); } }]);
  await api.listenUnix(sock);
  return { sock, close: async () => { await api.close(); rmSync(dir, { recursive: true, force: true }); } };
}

function get(sock: string, path: string, method = 'GET', body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, path, method, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const big = { name: '/x', id: 'x', pad: 'y'.repeat(64 * 1024) } as unknown as ContainerStatsResponse;

test('a stats client that stops reading is dropped; the server keeps serving', async () => {
  let produced = 0;
  let finished = false;
  const s = await serve(async function* () {
    try {
      for (;;) { produced++; yield big; await new Promise((r) => setImmediate(r)); }
    } finally { finished = true; }
  });
  try {
    const sock = connect(s.sock);
    sock.on('error', () => undefined);
    sock.write('GET /containers/x/stats HTTP/1.1\r\nHost: x\r\n\r\n');
    sock.pause(); // never reads (so it never even sees the server hang up)
    const t0 = Date.now();
    while (!finished && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(finished, 'the server dropped the client and closed the stats generator');
    // Bounded: only what fits the socket buffers was produced before the drop.
    assert.ok(produced < 200, `${produced} frames produced`);
    sock.destroy();
    assert.equal((await get(s.sock, '/_ping')).status, 200);
  } finally {
    await s.close();
  }
});

test('each frame the backend yields is one JSON line; bad parameters and unknown containers are errors before any header', async () => {
  const s = await serve(async function* () { yield { name: '/x', id: 'x' } as ContainerStatsResponse; yield { name: '/y', id: 'y' } as ContainerStatsResponse; });
  try {
    const one = await get(s.sock, '/containers/x/stats?stream=false');
    assert.equal(one.status, 200);
    assert.deepEqual(one.text.trim().split('\n').map((l) => JSON.parse(l).name), ['/x', '/y']);
    const bad = await get(s.sock, '/containers/x/stats?stream=true&one-shot=true');
    assert.equal(bad.status, 400);
    const missing = await get(s.sock, '/containers/nosuch/stats?stream=false');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.text), { message: 'No such container: nosuch' });
  } finally {
    await s.close();
  }
});

test('update passes the body through and answers {"Warnings":[]}', async () => {
  const updates: UpdateConfig[] = [];
  const s = await serve(async function* () { /* no frames */ }, updates);
  try {
    const r = await get(s.sock, '/containers/x/update', 'POST', { Memory: 1 << 26 });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), { Warnings: [] });
    assert.deepEqual(updates, [{ Memory: 1 << 26 }]);
    const bad = await get(s.sock, '/containers/x/update', 'POST', [1, 2]);
    assert.equal(bad.status, 400);
  } finally {
    await s.close();
  }
});
