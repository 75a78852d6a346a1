import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile, symlink, link, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger } from '../lib/index.ts';
import { LayerStore } from './layer-store.ts';

const isRoot = process.getuid?.() === 0;
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function collect(r: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

async function tarOf(build: (dir: string) => Promise<void>, format = 'gnu'): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-lx-src-'));
  try {
    await build(dir);
    return execFileSync('tar', ['-c', `--format=${format}`, '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 28 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('every way a layer comes in (applyTar, stage+commit, registerDir) exports to its exact tar', { skip: isRoot ? false : 'needs root (mknod, trusted xattrs)' }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-test-lx-'));
  try {
    const store = new LayerStore(root, silentLogger);
    await store.init();
    const base = await tarOf(async (d) => {
      await mkdir(join(d, 'etc')); await writeFile(join(d, 'etc', 'a'), 'a'); await writeFile(join(d, 'big'), randomBytes(200_000));
      await link(join(d, 'big'), join(d, 'big2')); await symlink('etc/a', join(d, 'sym')); await mkdir(join(d, 'gone'));
    }, 'pax');
    const l1 = await store.applyTar(null, Readable.from([base]));
    assert.equal(l1.diffId, sha(base));
    const e1 = await store.exportTar(l1.chainId);
    assert.equal(e1.size, base.length);
    assert.ok((await collect(e1.open())).equals(base));

    // A pulled layer with OCI whiteouts (converted to overlay whiteouts on disk) and gzip.
    const top = await tarOf(async (d) => {
      await mkdir(join(d, 'etc')); await writeFile(join(d, 'etc', '.wh.a'), ''); await writeFile(join(d, 'new'), 'n'.repeat(5000));
      await mkdir(join(d, 'gone')); await writeFile(join(d, 'gone', '.wh..wh..opq'), '');
    });
    const staged = await store.stage(Readable.from([top]));
    const l2 = await store.commitStaged(l1.chainId, staged);
    assert.ok((await collect((await store.exportTar(l2.chainId)).open())).equals(top));

    // A directory registered as a layer (commit, build): its tar comes back as diffed.
    const dir = join(root, 'upper');
    await mkdir(join(dir, 'x'), { recursive: true });
    await writeFile(join(dir, 'x', 'f'), randomBytes(10_000));
    const l3 = await store.registerDir(l2.chainId, dir);
    const e3 = await store.exportTar(l3.chainId);
    const bytes = await collect(e3.open());
    assert.equal(sha(bytes), l3.diffId);
    assert.equal(await store.hasTarSplit(l3.chainId), true);

    // A changed file: the stream fails rather than send other bytes under the diffID.
    await writeFile(join(store.driver.diffPath(l1.cacheId), 'etc', 'a'), 'b');
    await assert.rejects(collect((await store.exportTar(l1.chainId)).open()), /could not be reproduced/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
