import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StdcopyDecoder, encodeFrame } from './stdcopy.ts';
import { splitJsonValues } from './json-stream.ts';
import { encodeFilters, parseFilters } from './filters.ts';

test('stdcopy frames are split across arbitrary chunk boundaries', () => {
  const stream = Buffer.concat([encodeFrame('stdout', 'hello\n'), encodeFrame('stderr', 'oops\n'), encodeFrame('stdout', '')]);
  for (let cut = 1; cut < stream.length; cut++) {
    const got: string[] = [];
    const d = new StdcopyDecoder((s, p) => got.push(`${s}:${p.toString()}`));
    d.push(stream.subarray(0, cut));
    d.push(stream.subarray(cut));
    assert.deepEqual(got, ['stdout:hello\n', 'stderr:oops\n', 'stdout:'], `cut at ${cut}`);
    assert.equal(d.pendingBytes, 0);
  }
});

test('stdcopy reports daemon errors and bad headers', () => {
  const d = new StdcopyDecoder(() => {});
  assert.throws(() => d.push(encodeFrame('system', 'boom')), /error from daemon in stream: boom/);
  const bad = Buffer.from([9, 0, 0, 0, 0, 0, 0, 1, 65]);
  assert.throws(() => new StdcopyDecoder(() => {}).push(bad), /unrecognized input header: 9/);
});

test('concatenated JSON values are split like json.Decoder', () => {
  assert.deepEqual(splitJsonValues('{"a":1}\n{"b":"}{"}{"c'), { values: ['{"a":1}', '{"b":"}{"}'], rest: '{"c' });
  assert.deepEqual(splitJsonValues('{"a":[1,{"x":"\\""}]}\r\n'), { values: ['{"a":[1,{"x":"\\""}]}'], rest: '' });
  assert.throws(() => splitJsonValues('x'), /invalid character/);
});

test('filters are encoded as moby filters JSON', () => {
  const f = parseFilters(['status=running', 'Label = a=b ', 'status=paused', '']);
  assert.equal(encodeFilters(f), '{"status":{"running":true,"paused":true},"label":{"a=b":true}}');
  assert.equal(encodeFilters(new Map()), undefined);
  assert.throws(() => parseFilters(['nope']), { message: 'bad format of filter (expected name=value)' });
});
