import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextBackoff, shouldRestart, validateRestartPolicy } from './restart-policy.ts';

const cases = [
  { name: 'no policy', policy: undefined, exitCode: 1, restartCount: 0, stoppedByUser: false, want: false },
  { name: 'no', policy: { Name: 'no' as const }, exitCode: 1, restartCount: 0, stoppedByUser: false, want: false },
  { name: 'always after success', policy: { Name: 'always' as const }, exitCode: 0, restartCount: 5, stoppedByUser: false, want: true },
  { name: 'always but stopped by user', policy: { Name: 'always' as const }, exitCode: 137, restartCount: 0, stoppedByUser: true, want: false },
  { name: 'unless-stopped', policy: { Name: 'unless-stopped' as const }, exitCode: 0, restartCount: 0, stoppedByUser: false, want: true },
  { name: 'on-failure success', policy: { Name: 'on-failure' as const }, exitCode: 0, restartCount: 0, stoppedByUser: false, want: false },
  { name: 'on-failure unlimited', policy: { Name: 'on-failure' as const }, exitCode: 2, restartCount: 99, stoppedByUser: false, want: true },
  { name: 'on-failure under max', policy: { Name: 'on-failure' as const, MaximumRetryCount: 3 }, exitCode: 2, restartCount: 2, stoppedByUser: false, want: true },
  { name: 'on-failure at max', policy: { Name: 'on-failure' as const, MaximumRetryCount: 3 }, exitCode: 2, restartCount: 3, stoppedByUser: false, want: false },
];
for (const c of cases) {
  test(`shouldRestart: ${c.name}`, () => assert.equal(shouldRestart(c), c.want));
}

test('back-off doubles up to a minute and resets after 10 s of running', () => {
  assert.equal(nextBackoff(0, 0), 100);
  assert.equal(nextBackoff(100, 50), 200);
  assert.equal(nextBackoff(40_000, 50), 60_000);
  assert.equal(nextBackoff(60_000, 50), 60_000);
  assert.equal(nextBackoff(6400, 10_000), 100);
});

test('validateRestartPolicy uses Docker\'s messages', () => {
  assert.throws(() => validateRestartPolicy({ Name: 'sometimes' as 'no' }, false), /unknown policy 'sometimes'/);
  assert.throws(() => validateRestartPolicy({ Name: 'always', MaximumRetryCount: 2 }, false), /maximum retry count can only be used with 'on-failure'/);
  assert.throws(() => validateRestartPolicy({ Name: 'always' }, true), /AutoRemove/);
  assert.throws(() => validateRestartPolicy({ Name: 'on-failure', MaximumRetryCount: -1 }, false), /cannot be negative/);
  validateRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 3 }, false);
});
