import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signalOf } from './oci-runtime.ts';

test('signalOf: numbers and names as process.kill takes them; null when unsure', () => {
  const cases: [number | string, number | string | null][] = [
    [9, 9], [15, 15], ['9', 9], ['SIGTERM', 'SIGTERM'], ['term', 'SIGTERM'], ['usr1', 'SIGUSR1'],
    ['SIGNOPE', null], [0, null], [99, null], ['', null], ['1.5', null], [1.5, null],
  ];
  for (const [input, want] of cases) assert.equal(signalOf(input), want, String(input));
});
