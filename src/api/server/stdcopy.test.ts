import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frame } from './stdcopy.ts';

test('frame writes the stream byte and a big-endian length', () => {
  const f = frame(2, Buffer.from('err\n'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(f.subarray(8).toString(), 'err\n');
  assert.equal(frame(1, Buffer.alloc(70000)).readUInt32BE(4), 70000);
});
