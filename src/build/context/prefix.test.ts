import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { MemoryBudget, readPrefix } from './prefix.ts';

async function all(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('a context within the budget: its digest, and the same bytes again', async () => {
  const data = [Buffer.from('abc'), Buffer.from('def')];
  const p = await readPrefix(Readable.from(data), 100);
  assert.equal(p.digest, createHash('sha256').update('abcdef').digest('hex'));
  assert.equal((await all(p.stream())).toString(), 'abcdef');
});

test('a context over the budget: no digest, all bytes streamed (what was read, then the rest)', async () => {
  const src = new PassThrough();
  const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000, 97 + (i % 26)));
  const p0 = readPrefix(src, 4500);
  for (const c of chunks.slice(0, 10)) src.write(c);
  const p = await p0;
  assert.equal(p.digest, null);
  const out = all(p.stream());
  for (const c of chunks.slice(10)) src.write(c);
  src.end();
  assert.deepEqual(await out, Buffer.concat(chunks));
});

test('a client that hangs up mid-context is an error', async () => {
  const src = new PassThrough();
  const p = readPrefix(src, 100);
  src.write('abc');
  src.destroy();
  await assert.rejects(p);
});

test('MemoryBudget: all or nothing, given back up to the total', () => {
  const b = new MemoryBudget(10);
  assert.equal(b.take(4), 4);
  assert.equal(b.take(4), 4);
  assert.equal(b.take(4), 0, 'only 2 left: nothing is taken');
  assert.equal(b.free, 2);
  b.give(4);
  assert.equal(b.take(6), 6);
  b.give(0);
  b.give(100);
  assert.equal(b.free, 10, 'never more than the total');
  assert.equal(b.take(0), 0);
});
