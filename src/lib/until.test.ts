import { test } from 'node:test';
import assert from 'node:assert/strict';
import { untilCutoff } from './until.ts';

test('until: unix seconds, RFC 3339, Go durations; garbage refused', () => {
  const now = 1_700_000_000_000;
  const cases: [string, number][] = [
    ['1690000000', 1_690_000_000_000], ['1690000000.5', 1_690_000_000_500], ['24h', now - 86_400_000], ['1h30m', now - 5_400_000],
    ['90s', now - 90_000], ['500ms', now - 500], ['2023-11-14T22:13:20Z', Date.parse('2023-11-14T22:13:20Z')],
  ];
  for (const [v, want] of cases) assert.equal(untilCutoff(v, now), want, v);
  assert.throws(() => untilCutoff('soon'), /failed to parse value as time or duration: "soon"/);
});
