import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatK8sLine } from './format-k8s-line.ts';
import { parseK8sLine } from './parse-k8s-line.ts';

const cases: { name: string; args: Parameters<typeof formatK8sLine>; want: string }[] = [
  {
    name: 'Date as conmon writes UTC',
    args: [new Date(Date.UTC(2026, 10, 27, 17, 14, 43, 345)), 'stdout', false, 'out-line'],
    want: '2026-11-27T17:14:43.345000000+00:00 stdout F out-line\n',
  },
  {
    name: 'string time verbatim, partial',
    args: ['2026-11-27T18:17:20.139907998+01:00', 'stdout', true, 'stt'],
    want: '2026-11-27T18:17:20.139907998+01:00 stdout P stt\n',
  },
  { name: 'stderr, empty payload', args: ['2026-11-27T17:14:43Z', 'stderr', false, ''], want: '2026-11-27T17:14:43Z stderr F \n' },
  { name: 'bytes payload', args: ['2026-11-27T17:14:43Z', 'stdout', false, Buffer.from('a\rb')], want: '2026-11-27T17:14:43Z stdout F a\rb\n' },
];

for (const c of cases) {
  test(`formatK8sLine: ${c.name}`, () => assert.equal(formatK8sLine(...c.args).toString(), c.want));
}

test('formatK8sLine: round trip through parseK8sLine', () => {
  const got = parseK8sLine(formatK8sLine('2026-11-27T17:14:43.000000001+00:00', 'stderr', true, 'x y'));
  assert.deepEqual(got && { ...got, payload: got.payload.toString() }, {
    time: '2026-11-27T17:14:43.000000001+00:00', stream: 'stderr', partial: true, payload: 'x y',
  });
});

const bad: { name: string; args: Parameters<typeof formatK8sLine>; want: RegExp }[] = [
  { name: 'newline in payload', args: ['2026-11-27T17:14:43Z', 'stdout', false, 'a\nb'], want: /contains a newline/ },
  { name: 'space in time', args: ['2026-11-27 17:14:43Z', 'stdout', false, 'a'], want: /invalid log timestamp/ },
  { name: 'invalid Date', args: [new Date(Number.NaN), 'stdout', false, 'a'], want: /invalid Date/ },
];
for (const c of bad) {
  test(`formatK8sLine rejects ${c.name}`, () => {
    assert.throws(() => formatK8sLine(...c.args), (err: unknown) => err instanceof Error && 'kind' in err && err.kind === 'invalid-argument' && c.want.test(err.message));
  });
}
