import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_CLOSE, FRAME_DATA, FRAME_OPEN, FrameDecoder, encodeFrame } from './build-session.ts';

test('frames survive any split of the byte stream', () => {
  const bytes = Buffer.concat([encodeFrame(FRAME_OPEN, 1, 'default'), encodeFrame(FRAME_DATA, 1, Buffer.from([0, 0, 0, 1, 11])), encodeFrame(FRAME_CLOSE, 7)]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const dec = new FrameDecoder();
    const frames = [...dec.push(bytes.subarray(0, cut)), ...dec.push(bytes.subarray(cut))];
    assert.deepEqual(frames.map((f) => [f.type, f.channel, f.payload.toString('hex')]), [[1, 1, Buffer.from('default').toString('hex')], [2, 1, '000000010b'], [3, 7, '']]);
  }
});

test('a frame no peer sends is an error', () => {
  assert.throws(() => new FrameDecoder().push(encodeFrame(9, 1)), /malformed build session frame/);
  const huge = Buffer.alloc(9); huge.writeUInt8(FRAME_DATA, 0); huge.writeUInt32BE(64 * 1024 * 1024, 5);
  assert.throws(() => new FrameDecoder().push(huge), /malformed/);
});
