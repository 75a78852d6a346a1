import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameSplitter } from './build-runner.ts';

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

test('stdcopy frames split across chunks come out whole, both streams', () => {
  const out: string[] = [];
  const split = frameSplitter();
  const all = Buffer.concat([frame(1, 'hello '), frame(2, 'err'), frame(1, 'world\n')]);
  for (let i = 0; i < all.length; i += 5) out.push(...split(all.subarray(i, i + 5)).map((b) => b.toString()));
  assert.deepEqual(out, ['hello ', 'err', 'world\n']);
});
