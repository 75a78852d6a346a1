import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../lib/index.ts';
import type { ImageConfig } from '../oci/index.ts';
import { BuildStore } from './build-store.ts';

const config = (n: number): ImageConfig => ({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${String(n).padStart(64, '0')}`] }, config: { Env: [`N=${n}`] } });

test('step images and cache records survive a reload; prune by age keeps what is still needed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-buildstore-'));
  const log = silentLogger;
  try {
    const s = new BuildStore(dir, log);
    await s.init();
    const a = await s.putImage(config(1));
    const b = await s.putImage(config(2));
    assert.equal((await s.putImage(config(1))).id, a.id);
    assert.match(a.id, /^sha256:[0-9a-f]{64}$/);
    await s.cacheSet('k1', a.id);
    await s.cacheSet('k2', b.id);
    await writeFile(join(dir, 'cache', 'dangling'), 'sha256:' + 'f'.repeat(64));
    await writeFile(join(dir, 'tmp', 'leftover'), 'x');
    // make k1 old
    const old = new Date(Date.now() - 3 * 3600e3);
    await utimes(join(dir, 'cache', 'k1'), old, old);

    const s2 = new BuildStore(dir, log);
    await s2.init();
    assert.equal(s2.cacheGet('k1')?.id, a.id);
    assert.equal(s2.cacheGet('dangling'), undefined);
    assert.equal(s2.resolve(a.id.slice(7, 19))?.id, a.id);
    assert.deepEqual(await readdir(join(dir, 'tmp')), []);
    assert.equal(s2.layersInUse().length, 2);

    const removed = await s2.prune(new Set(), Date.now() - 3600e3);
    assert.deepEqual(removed, ['k1']);
    assert.equal(s2.getImage(a.id), undefined);
    assert.equal(s2.getImage(b.id)?.id, b.id);
    assert.deepEqual(await s2.prune(new Set([b.id])), ['k2']);
    assert.equal(s2.getImage(b.id)?.id, b.id);
    await s2.prune();
    assert.equal(s2.getImage(b.id), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
