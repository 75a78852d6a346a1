import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseK8sLine, type K8sLine } from './parse-k8s-line.ts';

const T = '2026-11-27T17:14:43.345467782+00:00';
type Want = Omit<K8sLine, 'payload'> & { payload: string };

const cases: { name: string; line: string; want: Want | undefined }[] = [
  { name: 'full stdout line', line: `${T} stdout F out-line\n`, want: { time: T, stream: 'stdout', partial: false, payload: 'out-line' } },
  { name: 'full stderr line', line: `${T} stderr F err-line\n`, want: { time: T, stream: 'stderr', partial: false, payload: 'err-line' } },
  { name: 'partial chunk', line: `${T} stdout P stt\n`, want: { time: T, stream: 'stdout', partial: true, payload: 'stt' } },
  { name: 'without its LF', line: `${T} stdout F x`, want: { time: T, stream: 'stdout', partial: false, payload: 'x' } },
  { name: 'payload keeps spaces and CR', line: `${T} stdout F  a b \r\n`, want: { time: T, stream: 'stdout', partial: false, payload: ' a b \r' } },
  { name: 'empty payload after the tag space', line: `${T} stdout F \n`, want: { time: T, stream: 'stdout', partial: false, payload: '' } },
  { name: 'empty payload, no space', line: `${T} stderr F\n`, want: { time: T, stream: 'stderr', partial: false, payload: '' } },
  { name: 'extra CRI tags', line: `${T} stdout P:x:y data\n`, want: { time: T, stream: 'stdout', partial: true, payload: 'data' } },
  { name: 'short timestamp (Z form)', line: '2026-11-27T17:14:43Z stdout F z\n', want: { time: '2026-11-27T17:14:43Z', stream: 'stdout', partial: false, payload: 'z' } },
  { name: 'empty', line: '', want: undefined },
  { name: 'only LF', line: '\n', want: undefined },
  { name: 'no stream', line: `${T}\n`, want: undefined },
  { name: 'unknown stream', line: `${T} stdin F x\n`, want: undefined },
  { name: 'stream prefix only', line: `${T} stdoutF x\n`, want: undefined },
  { name: 'unknown tag', line: `${T} stdout X x\n`, want: undefined },
  { name: 'tag glued to more letters', line: `${T} stdout Fx x\n`, want: undefined },
  { name: 'missing tag', line: `${T} stdout \n`, want: undefined },
  { name: 'leading space', line: ` ${T} stdout F x\n`, want: undefined },
  { name: 'json-file line', line: '{"log":"x\\n","stream":"stdout","time":"2026-11-27T17:14:43Z"}\n', want: undefined },
];

for (const c of cases) {
  test(`parseK8sLine: ${c.name}`, () => {
    const got = parseK8sLine(Buffer.from(c.line));
    if (c.want === undefined) {
      assert.equal(got, undefined);
      return;
    }
    assert.ok(got);
    assert.deepEqual({ ...got, payload: got.payload.toString() }, c.want);
  });
}

test('parseK8sLine: payload is binary-safe and a view of the input', () => {
  const line = Buffer.concat([Buffer.from(`${T} stdout F `), Buffer.from([0xff, 0x00, 0xc3]), Buffer.from('\n')]);
  const got = parseK8sLine(line);
  assert.ok(got);
  assert.deepEqual([...got.payload], [0xff, 0x00, 0xc3]);
  assert.equal(got.payload.buffer, line.buffer);
});
