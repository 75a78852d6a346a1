// RawGunzip: gzip framing parsed here, deflate inflated raw (no CRC-32); the output equals
// zlib's gunzip for single and multi-member streams with every optional header field, cut
// into chunks of any size; truncated, non-gzip and inconsistent streams fail with zlib's codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { RawGunzip, gzipHeaderLength } from './gunzip-raw.ts';

function run(input: Buffer, chunk: number, slowSink = false): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const g = new RawGunzip({
      data: (b, done) => { out.push(Buffer.from(b)); if (slowSink) setImmediate(done); else done(); },
      end: () => resolve(Buffer.concat(out)),
      error: reject,
    }, 4096);
    let i = 0;
    const next = (): void => {
      if (i >= input.length) { g.end(); return; }
      // Each piece is overwritten once consumed, as the worker's shared slots are.
      const piece = Buffer.from(input.subarray(i, i + chunk));
      i += chunk;
      g.write(piece, () => { piece.fill(0xee); next(); });
    };
    next();
  });
}

/** A gzip member with the optional header fields of `flags` (FHCRC 2, FEXTRA 4, FNAME 8, FCOMMENT 16). */
function member(data: Buffer, flags: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3])];
  if (flags & 4) { const x = Buffer.alloc(2); x.writeUInt16LE(5); parts.push(x, Buffer.from('extra')); }
  if (flags & 8) parts.push(Buffer.from('layer.tar\0'));
  if (flags & 16) parts.push(Buffer.from('a comment\0'));
  if (flags & 2) parts.push(Buffer.from([0xab, 0xcd]));
  const t = Buffer.alloc(8);
  t.writeUInt32LE(0x12345678, 0); // CRC-32: not checked
  t.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([...parts, deflateRawSync(data), t]);
}

const text = Buffer.from('layer file contents '.repeat(5000));
const noise = randomBytes(300_000);

const good: { name: string; input: Buffer; want: Buffer }[] = [
  { name: 'gzipSync of text', input: gzipSync(text), want: text },
  { name: 'gzipSync of random bytes (stored blocks)', input: gzipSync(noise), want: noise },
  { name: 'empty member', input: gzipSync(Buffer.alloc(0)), want: Buffer.alloc(0) },
  { name: 'all optional header fields', input: member(text, 2 | 4 | 8 | 16), want: text },
  { name: 'two members', input: Buffer.concat([gzipSync(text), member(noise, 8)]), want: Buffer.concat([text, noise]) },
  { name: 'three members, one empty', input: Buffer.concat([gzipSync(noise), gzipSync(Buffer.alloc(0)), gzipSync(text)]), want: Buffer.concat([noise, text]) },
  { name: 'zero padding after the member', input: Buffer.concat([gzipSync(text), Buffer.alloc(1000)]), want: text },
];

for (const c of good) {
  for (const chunk of [1, 7, 4096, 65536, 1 << 20]) {
    if (chunk === 1 && c.input.length > 20_000) continue;
    test(`RawGunzip: ${c.name}, chunks of ${chunk}`, async () => {
      assert.ok((await run(c.input, chunk)).equals(c.want));
    });
  }
  test(`RawGunzip: ${c.name}, slow consumer`, async () => {
    assert.ok((await run(c.input, 8192, true)).equals(c.want));
  });
}

const gz = gzipSync(text);
const wrongSize = Buffer.from(gz);
wrongSize.writeUInt32LE(text.length + 1, gz.length - 4);
const bad: { name: string; input: Buffer; code: string; message: RegExp }[] = [
  { name: 'not gzip', input: Buffer.from('plain tar bytes here'), code: 'Z_DATA_ERROR', message: /incorrect header check/ },
  { name: 'empty input', input: Buffer.alloc(0), code: 'Z_BUF_ERROR', message: /unexpected end of file/ },
  { name: 'header cut short', input: gz.subarray(0, 6), code: 'Z_BUF_ERROR', message: /unexpected end of file/ },
  { name: 'deflate body cut short', input: gz.subarray(0, gz.length >> 1), code: 'Z_BUF_ERROR', message: /unexpected end of file/ },
  { name: 'trailer cut short', input: gz.subarray(0, gz.length - 3), code: 'Z_BUF_ERROR', message: /unexpected end of file/ },
  { name: 'no trailer', input: gz.subarray(0, gz.length - 8), code: 'Z_BUF_ERROR', message: /unexpected end of file/ },
  { name: 'ISIZE mismatch', input: wrongSize, code: 'Z_DATA_ERROR', message: /incorrect length check/ },
  { name: 'garbage after the member', input: Buffer.concat([gz, Buffer.from('garbage')]), code: 'Z_DATA_ERROR', message: /incorrect header check/ },
  { name: 'corrupt deflate data', input: Buffer.concat([gz.subarray(0, 10), Buffer.alloc(64, 0xff), gz.subarray(74)]), code: 'Z_DATA_ERROR', message: /./ },
];
for (const c of bad) {
  test(`RawGunzip refuses: ${c.name}`, async () => {
    for (const chunk of [5, 65536]) {
      await assert.rejects(run(c.input, chunk), (err: Error & { code?: string }) => {
        assert.equal(err.code, c.code);
        assert.match(err.message, c.message);
        return true;
      });
    }
  });
}

test('gzipHeaderLength: needs more bytes, or the length, or throws', () => {
  assert.equal(gzipHeaderLength(Buffer.from([0x1f, 0x8b, 8])), -1);
  assert.equal(gzipHeaderLength(gzipSync(text)), 10);
  assert.equal(gzipHeaderLength(member(text, 8).subarray(0, 14)), -1);
  assert.equal(gzipHeaderLength(member(text, 2 | 4 | 8 | 16)), 10 + 2 + 5 + 10 + 10 + 2);
  assert.throws(() => gzipHeaderLength(Buffer.from([0x1f, 0x8b, 7])), /unknown compression method/);
  assert.throws(() => gzipHeaderLength(Buffer.from([0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 0])), /unknown header flags/);
});

test('RawGunzip: many small members (as BGZF writes) in large chunks', async () => {
  const parts = Array.from({ length: 200 }, (_, i) => Buffer.from(`member ${i} `.repeat(50 + i)));
  const input = Buffer.concat(parts.map((p, i) => member(p, i % 3 === 0 ? 8 : 0)));
  for (const chunk of [3, 1000, 1 << 20]) assert.ok((await run(input, chunk)).equals(Buffer.concat(parts)));
});
