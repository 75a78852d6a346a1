import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { coalesce } from './coalesce.ts';

test('coalesce: joins small chunks, keeps every byte in order', async () => {
  const input = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i, i));
  const out: Buffer[] = [];
  for await (const c of Readable.from(input).pipe(coalesce(8192))) out.push(c as Buffer);
  assert.deepEqual(Buffer.concat(out), Buffer.concat(input));
  for (const c of out.slice(0, -1)) assert.ok(c.length >= 8192);
  assert.ok(out.length < input.length);
});

test('coalesce: an empty stream stays empty; one big chunk passes as it is', async () => {
  const none: Buffer[] = [];
  for await (const c of Readable.from([]).pipe(coalesce(10))) none.push(c as Buffer);
  assert.equal(none.length, 0);
  const big = Buffer.alloc(100, 7);
  const out: Buffer[] = [];
  for await (const c of Readable.from([big]).pipe(coalesce(10))) out.push(c as Buffer);
  assert.equal(out.length, 1);
  assert.ok(out[0]!.equals(big));
});
