import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindOf } from '../lib/index.ts';
import { validateLogReadOptions, splitSeconds, type LogReadOptions } from './log-read-options.ts';

const base: LogReadOptions = { stdout: true, stderr: true, follow: false, tail: 'all', timestamps: false, multiplex: true };

const good: { name: string; options: Partial<LogReadOptions>; check: (plan: ReturnType<typeof validateLogReadOptions>) => void }[] = [
  { name: 'both streams', options: {}, check: (p) => assert.equal(p.encoder.streams, 3) },
  { name: 'stdout only', options: { stderr: false }, check: (p) => assert.equal(p.encoder.streams, 1) },
  { name: 'stderr only', options: { stdout: false }, check: (p) => assert.equal(p.encoder.streams, 2) },
  { name: 'tail 0', options: { tail: 0 }, check: (p) => assert.equal(p.tail, 0) },
  { name: 'since 0 is no bound', options: { since: 0, until: 0 }, check: (p) => assert.equal(p.encoder.since, undefined) },
  { name: 'since "0.000" is no bound', options: { since: '0.000' }, check: (p) => assert.equal(p.encoder.since, undefined) },
  { name: 'fractional since', options: { since: 1795799683.5 }, check: (p) => assert.deepEqual(p.encoder.since, { sec: 1795799683, nsec: 500000000 }) },
  { name: 'string since keeps ns', options: { since: '1795799683.345467782' }, check: (p) => assert.deepEqual(p.encoder.since, { sec: 1795799683, nsec: 345467782 }) },
  { name: 'string until, short fraction', options: { until: '1795799683.5' }, check: (p) => {
    assert.deepEqual(p.encoder.until, { sec: 1795799683, nsec: 500000000 });
    assert.equal(p.untilSeconds, 1795799683.5);
  } },
  { name: 'default poll', options: {}, check: (p) => assert.equal(p.pollIntervalMs, 250) },
];
for (const c of good) {
  test(`options: ${c.name}`, () => c.check(validateLogReadOptions({ ...base, ...c.options })));
}

const bad: { name: string; options: Partial<LogReadOptions>; want: RegExp }[] = [
  { name: 'no stream', options: { stdout: false, stderr: false }, want: /^You must choose at least one stream$/ },
  { name: 'negative tail', options: { tail: -1 }, want: /invalid tail -1/ },
  { name: 'fractional tail', options: { tail: 1.5 }, want: /invalid tail/ },
  { name: 'NaN tail', options: { tail: Number.NaN }, want: /invalid tail/ },
  { name: 'negative since', options: { since: -5 }, want: /invalid since/ },
  { name: 'infinite until', options: { until: Number.POSITIVE_INFINITY }, want: /invalid until/ },
  { name: 'RFC 3339 since (the API converts it)', options: { since: '2026-11-27T17:14:43Z' }, want: /invalid since/ },
  { name: 'ten fraction digits', options: { since: '1.0123456789' }, want: /invalid since/ },
  { name: 'zero poll', options: { pollIntervalMs: 0 }, want: /invalid poll interval/ },
];
for (const c of bad) {
  test(`options reject ${c.name}`, () => {
    assert.throws(() => validateLogReadOptions({ ...base, ...c.options }), (err: unknown) => {
      assert.equal(kindOf(err), 'invalid-argument');
      assert.match(err instanceof Error ? err.message : '', c.want);
      return true;
    });
  });
}

test('splitSeconds carries a rounded-up nanosecond part', () => {
  assert.deepEqual(splitSeconds(1.9999999999), { sec: 2, nsec: 0 });
  assert.deepEqual(splitSeconds(10.25), { sec: 10, nsec: 250000000 });
});
