import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { adaptiveGzip, levelFor, sampledEntropy, ENTROPY_STORED } from './adaptive-gzip.ts';

const MiB = 1 << 20;
const text = (n: number): Buffer => Buffer.from('the quick brown fox jumps over the lazy dog 0123\n'.repeat(Math.ceil(n / 49))).subarray(0, n);

async function gzipAll(chunks: Buffer[], o?: Parameters<typeof adaptiveGzip>[0]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), adaptiveGzip(o), async (s: AsyncIterable<Buffer>) => { for await (const c of s) out.push(c); });
  return Buffer.concat(out);
}

/** The number of gzip members: each starts with the magic bytes and is followed by another or the end. */
function members(gz: Buffer): number {
  let n = 0;
  for (let i = 0; i + 2 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8) n++;
  return n;
}

test('sampledEntropy: uniform bytes near 8 bits, text and constant runs far below', () => {
  const cases: [string, Buffer, (h: number) => boolean][] = [
    ['random', randomBytes(MiB), (h) => h >= ENTROPY_STORED],
    ['text', text(MiB), (h) => h < 5],
    ['zeros', Buffer.alloc(MiB), (h) => h === 0],
    ['hex of random', Buffer.from(randomBytes(MiB / 2).toString('hex')), (h) => h > 3.9 && h < 4.1],
    ['a 1 KiB random block repeated', Buffer.concat(Array.from({ length: 1024 }, () => randomBytes(1024).subarray(0, 0)).concat(Array(1024).fill(randomBytes(1024)))), (h) => h < ENTROPY_STORED],
    ['empty', Buffer.alloc(0), (h) => h === 0],
  ];
  for (const [name, buf, ok] of cases) assert.ok(ok(sampledEntropy(buf)), `${name}: ${sampledEntropy(buf)}`);
});

test('levelFor: stored for incompressible chunks, the level otherwise and for small chunks', () => {
  assert.equal(levelFor(randomBytes(MiB), 4), 0);
  assert.equal(levelFor(text(MiB), 4), 4);
  assert.equal(levelFor(randomBytes(1000), 4), null);
});

/** Random bytes without 0x1f, so the gzip magic appears only where a member starts. */
const noMagic = (n: number): Buffer => { const b = randomBytes(n); for (let i = 0; i < n; i++) if (b[i] === 0x1f) b[i] = 0x20; return b; };

test('adaptiveGzip: a mix round-trips through gunzip, one member per change of level, no bigger than plain gzip', async () => {
  const r1 = noMagic(MiB);
  const r2 = noMagic(MiB);
  const chunks = [text(MiB), r1, r2, text(MiB), r1, Buffer.from('tail')];
  const input = Buffer.concat(chunks);
  const gz = await gzipAll(chunks, { level: 4 });
  assert.deepEqual(gunzipSync(gz), input);
  // text | random random | text | random + the small tail (no switch for it): 4 members.
  assert.equal(members(gz), 4);
  assert.ok(gz.length <= gzipSync(input, { level: 4 }).length + 4 * 32, `${gz.length}`);
});

test('adaptiveGzip: not adaptive is one member; an empty input is one valid empty member', async () => {
  const chunks = [text(MiB), noMagic(MiB)];
  const gz = await gzipAll(chunks, { level: 1, adaptive: false });
  assert.equal(members(gz), 1);
  assert.deepEqual(gunzipSync(gz), Buffer.concat(chunks));
  const empty = await gzipAll([]);
  assert.deepEqual(gunzipSync(empty), Buffer.alloc(0));
});

test('adaptiveGzip: an error of the source reaches the reader and the stream is destroyed', async () => {
  async function* bad(): AsyncGenerator<Buffer> { yield text(MiB); throw new Error('berth-test: source failed'); }
  const gz = adaptiveGzip();
  await assert.rejects(pipeline(Readable.from(bad()), gz, async (s: AsyncIterable<Buffer>) => { for await (const _ of s) { /* drain */ } }), /berth-test: source failed/);
  assert.ok(gz.destroyed);
});
