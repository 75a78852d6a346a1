import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, bytesSize } from './human-size.ts';
import { humanDuration } from './human-duration.ts';

test('humanSize with precision 3 (docker ps/images)', () => {
  const cases: [number, string][] = [
    [0, '0B'], [1, '1B'], [999, '999B'], [1000, '1kB'], [1024, '1.02kB'], [4_261_888, '4.26MB'],
    [1_234_567_890, '1.23GB'], [999_500, '1000kB'], [12_345, '12.3kB'], [4_200_000, '4.2MB'],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n, 3), want, String(n));
});

test('humanSize with default precision 4 and bytesSize', () => {
  assert.equal(humanSize(2_746_000), '2.746MB');
  assert.equal(bytesSize(2_087_354_368), '1.944GiB');
  assert.equal(bytesSize(1024), '1KiB');
});

test('humanDuration like go-units', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [0, 'Less than a second'], [999, 'Less than a second'], [1 * s, '1 second'], [2 * s, '2 seconds'],
    [59 * s, '59 seconds'], [60 * s, 'About a minute'], [119 * s, 'About a minute'], [120 * s, '2 minutes'],
    [59 * 60 * s, '59 minutes'], [60 * 60 * s, 'About an hour'], [89 * 60 * s, 'About an hour'],
    [90 * 60 * s, '2 hours'], [47 * 3600 * s, '47 hours'], [48 * 3600 * s, '2 days'],
    [13 * 86400 * s, '13 days'], [14 * 86400 * s, '2 weeks'], [59 * 86400 * s, '8 weeks'],
    [60 * 86400 * s, '2 months'], [729 * 86400 * s, '24 months'], [730 * 86400 * s, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});
