// The layer apply on a worker thread (tar-worker.ts, apply-worker.ts), through
// extractLayerTar: plain and gzip layers come out with their diffID and blob digest; the
// guard refuses an escaping entry inside a gzip stream and stops reading the source early;
// corrupt gzip keeps zlib's error code; more jobs than pooled workers all finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { InvalidArgumentError } from '../lib/index.ts';
import { extractLayerTar } from './staged-layer.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(entries: { name: string; body?: Buffer | string }[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const read = (async () => { for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c); })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => pack.entry({ name: e.name }, e.body ?? '', (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  await read;
  return Buffer.concat(chunks);
}

/** `buf` in chunks of `size` (as a socket would deliver it); counts how many were taken. */
function chunked(buf: Buffer, size = 64 << 10): { src: AsyncIterable<Buffer>; taken: () => number; total: number } {
  let n = 0;
  return {
    src: (async function* () { for (let i = 0; i < buf.length; i += size) { n++; yield buf.subarray(i, i + size); } })(),
    taken: () => n,
    total: Math.ceil(buf.length / size),
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-test-tarworker-');
  try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('tar worker: a plain and a gzip layer extract with their diffID and blob digest', async () => {
  await withDir(async (dir) => {
    const big = Buffer.alloc(3 << 20, 'x');
    const tar = await tarOf([{ name: 'etc/hello', body: 'hi\n' }, { name: 'big.bin', body: big }]);
    mkdirSync(join(dir, 'plain'));
    const plain = await extractLayerTar(join(dir, 'plain'), Readable.from([tar]));
    assert.deepEqual(plain, { diffId: sha(tar), inputDigest: null, whiteouts: 0 });
    assert.equal(readFileSync(join(dir, 'plain/etc/hello'), 'utf8'), 'hi\n');
    const gz = gzipSync(tar);
    mkdirSync(join(dir, 'gz'));
    const r = await extractLayerTar(join(dir, 'gz'), chunked(gz).src, { compression: 'gzip', hashInput: true });
    assert.deepEqual(r, { diffId: sha(tar), inputDigest: sha(gz), whiteouts: 0 });
    assert.ok(readFileSync(join(dir, 'gz/big.bin')).equals(big));
  });
});

test('tar worker: an escaping entry in a gzip layer is refused before tar sees it, and the source is not read to its end', async () => {
  await withDir(async (dir) => {
    const filler = Buffer.alloc(8 << 20);
    for (let i = 0; i < filler.length; i += 4) filler.writeUInt32LE((i * 2654435761) >>> 0, i); // poorly compressible
    const tar = await tarOf([{ name: 'ok', body: 'fine' }, { name: '../escaped', body: 'evil' }, { name: 'after.bin', body: filler }]);
    const c = chunked(gzipSync(tar, { level: 1 }), 16 << 10);
    const target = join(dir, 'target');
    mkdirSync(target);
    await assert.rejects(extractLayerTar(target, c.src, { compression: 'gzip', hashInput: true }),
      (err: unknown) => err instanceof InvalidArgumentError && /climbs out of the layer/.test((err as Error).message));
    assert.equal(existsSync(join(dir, 'escaped')), false);
    assert.ok(!readdirSync(target).includes('after.bin'));
    assert.ok(c.taken() < c.total, `read ${c.taken()} of ${c.total} chunks`);
  });
});

test('tar worker: corrupt gzip fails with zlib\'s code; a truncated tar is refused', async () => {
  await withDir(async (dir) => {
    mkdirSync(join(dir, 'a'));
    await assert.rejects(extractLayerTar(join(dir, 'a'), Readable.from([Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])]), { compression: 'gzip' }),
      (err: unknown) => typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('Z_'));
    const tar = await tarOf([{ name: 'f', body: Buffer.alloc(4096, 1) }]);
    mkdirSync(join(dir, 'b'));
    await assert.rejects(extractLayerTar(join(dir, 'b'), Readable.from([tar.subarray(0, 2048)])), /unexpected end of archive/);
  });
});

test('tar worker: more layers at once than pooled workers all apply', async () => {
  await withDir(async (dir) => {
    const tars = await Promise.all(Array.from({ length: 7 }, (_, i) => tarOf([{ name: `f${i}`, body: Buffer.alloc((i + 1) << 18, i) }])));
    const results = await Promise.all(tars.map((t, i) => {
      mkdirSync(join(dir, String(i)));
      return extractLayerTar(join(dir, String(i)), chunked(t).src);
    }));
    assert.deepEqual(results.map((r) => r.diffId), tars.map(sha));
    for (let i = 0; i < tars.length; i++) assert.equal(readFileSync(join(dir, String(i), `f${i}`)).length, (i + 1) << 18);
  });
});

test('tar worker: jobs sharing a worker are independent: one refused, the others (gzip without CRC, two members) apply', async () => {
  await withDir(async (dir) => {
    const big = Buffer.alloc(2 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const tars = await Promise.all(Array.from({ length: 5 }, (_, i) => tarOf([{ name: `d${i}/big.bin`, body: big }, { name: `d${i}/small`, body: `layer ${i}\n` }])));
    const evil = await tarOf([{ name: 'ok', body: 'fine' }, { name: '../escaped', body: 'evil' }, { name: 'after.bin', body: big }]);
    // Two gzip members (as pigz or a concatenation writes), the CRC field zeroed: not checked with noCrc.
    const twoMembers = (t: Buffer): Buffer => {
      const a = gzipSync(t.subarray(0, 5000));
      const b = gzipSync(t.subarray(5000));
      a.writeUInt32LE(0, a.length - 8);
      return Buffer.concat([a, b]);
    };
    const jobs = tars.map((t, i) => {
      mkdirSync(join(dir, String(i)));
      const gz = twoMembers(t);
      return extractLayerTar(join(dir, String(i)), chunked(gz, 100_000).src, { compression: 'gzip', hashInput: true, noCrc: true })
        .then((r) => ({ r, gz }));
    });
    mkdirSync(join(dir, 'evil'));
    const bad = extractLayerTar(join(dir, 'evil'), chunked(gzipSync(evil), 16 << 10).src, { compression: 'gzip', hashInput: true, noCrc: true });
    await assert.rejects(bad, /climbs out of the layer/);
    const done = await Promise.all(jobs);
    done.forEach(({ r, gz }, i) => assert.deepEqual(r, { diffId: sha(tars[i]!), inputDigest: sha(gz), whiteouts: 0 }));
    for (let i = 0; i < tars.length; i++) assert.equal(readFileSync(join(dir, String(i), `d${i}/small`), 'utf8'), `layer ${i}\n`);
    assert.equal(existsSync(join(dir, 'escaped')), false);
  });
});

test('tar worker: without noCrc a wrong CRC-32 still fails; with noCrc gzip errors keep zlib\'s codes', async () => {
  await withDir(async (dir) => {
    const tar = await tarOf([{ name: 'f', body: Buffer.alloc(4096, 1) }]);
    const gz = gzipSync(tar);
    gz.writeUInt32LE((gz.readUInt32LE(gz.length - 8) ^ 1) >>> 0, gz.length - 8);
    mkdirSync(join(dir, 'crc'));
    await assert.rejects(extractLayerTar(join(dir, 'crc'), Readable.from([gz]), { compression: 'gzip', hashInput: true }),
      (err: unknown) => (err as { code?: unknown }).code === 'Z_DATA_ERROR');
    mkdirSync(join(dir, 'plain'));
    await assert.rejects(extractLayerTar(join(dir, 'plain'), Readable.from([tar]), { compression: 'gzip', hashInput: true, noCrc: true }),
      (err: unknown) => (err as { code?: unknown }).code === 'Z_DATA_ERROR' && /incorrect header check/.test((err as Error).message));
    mkdirSync(join(dir, 'cut'));
    await assert.rejects(extractLayerTar(join(dir, 'cut'), Readable.from([gzipSync(tar).subarray(0, 40)]), { compression: 'gzip', hashInput: true, noCrc: true }),
      (err: unknown) => (err as { code?: unknown }).code === 'Z_BUF_ERROR');
  });
});
