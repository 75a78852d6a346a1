import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from './go-duration.ts';

test('parseGoDuration accepts Go syntax', () => {
  const cases: [string, number][] = [
    ['0', 0], ['30s', 30e9], ['1m30s', 90e9], ['500ms', 5e8], ['1.5h', 5400e9], ['-2s', -2e9],
    ['10us', 1e4], ['1h2m3s4ms', 3723004e6], ['.5s', 5e8], ['+3ns', 3],
  ];
  for (const [input, want] of cases) assert.equal(parseGoDuration(input), want, input);
});

test('parseGoDuration rejects bad input with Go wording', () => {
  assert.throws(() => parseGoDuration('abc'), { message: 'time: invalid duration "abc"' });
  assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDuration('3x'), { message: 'time: unknown unit "x" in duration "3x"' });
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
});
