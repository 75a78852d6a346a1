import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from './signal.ts';

const cases: { name: string; input: string; want: number | string }[] = [
  { name: 'SIGTERM', input: 'SIGTERM', want: 15 },
  { name: 'TERM', input: 'TERM', want: 15 },
  { name: 'lower case', input: 'sigkill', want: 9 },
  { name: 'number', input: '15', want: 15 },
  { name: 'SIGRTMIN', input: 'SIGRTMIN', want: 34 },
  { name: 'SIGRTMIN+3', input: 'SIGRTMIN+3', want: 37 },
  { name: 'RTMAX-1', input: 'rtmax-1', want: 63 },
  { name: 'SIGRTMAX', input: 'SIGRTMAX', want: 64 },
  { name: 'alias CLD', input: 'SIGCLD', want: 17 },
  { name: 'SIGWINCH', input: 'WINCH', want: 28 },
  { name: 'zero', input: '0', want: 'Invalid signal: 0' },
  { name: 'past SIGRTMAX', input: '65', want: 'Invalid signal: 65' },
  { name: 'unknown name', input: 'SIGFOO', want: 'Invalid signal: SIGFOO' },
  { name: 'RTMIN+16', input: 'SIGRTMIN+16', want: 'Invalid signal: SIGRTMIN+16' },
  { name: 'empty', input: '', want: 'Invalid signal: ' },
  { name: 'negative', input: '-9', want: 'Invalid signal: -9' },
];
for (const c of cases) {
  test(`parseSignal: ${c.name}`, () => {
    if (typeof c.want === 'string') assert.throws(() => parseSignal(c.input), { message: c.want, kind: 'invalid-argument' });
    else assert.equal(parseSignal(c.input), c.want);
  });
}
