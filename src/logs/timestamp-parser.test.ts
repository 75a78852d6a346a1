import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimestampParser, formatDockerTimestamp, parseTimestamp, DOCKER_TIMESTAMP_LEN } from './timestamp-parser.ts';

// 2026-11-27T17:14:43Z
const BASE = Date.UTC(2026, 10, 27, 17, 14, 43) / 1000;

const cases: { input: string; sec: number; nsec: number; docker: string }[] = [
  { input: '2026-11-27T17:14:43.345467782+00:00', sec: BASE, nsec: 345467782, docker: '2026-11-27T17:14:43.345467782Z' },
  { input: '2026-11-27T17:14:43.000000000+00:00', sec: BASE, nsec: 0, docker: '2026-11-27T17:14:43.000000000Z' },
  { input: '2026-11-27T17:14:43.1Z', sec: BASE, nsec: 100000000, docker: '2026-11-27T17:14:43.100000000Z' },
  { input: '2026-11-27T17:14:43Z', sec: BASE, nsec: 0, docker: '2026-11-27T17:14:43.000000000Z' },
  { input: '2026-11-27t17:14:43.5z', sec: BASE, nsec: 500000000, docker: '2026-11-27T17:14:43.500000000Z' },
  // digits past the ninth are below a nanosecond: dropped
  { input: '2026-11-27T17:14:43.1234567891234Z', sec: BASE, nsec: 123456789, docker: '2026-11-27T17:14:43.123456789Z' },
  // conmon writes local time with the offset; Docker prints UTC
  { input: '2026-11-27T18:14:43.000000001+01:00', sec: BASE, nsec: 1, docker: '2026-11-27T17:14:43.000000001Z' },
  { input: '2026-11-27T11:44:43.250000000-05:30', sec: BASE, nsec: 250000000, docker: '2026-11-27T17:14:43.250000000Z' },
  // the offset moves the date across midnight and a year end
  { input: '2027-01-01T00:30:00.000000000+01:00', sec: Date.UTC(2026, 11, 31, 23, 30) / 1000, nsec: 0, docker: '2026-12-31T23:30:00.000000000Z' },
  { input: '1970-01-01T00:00:00Z', sec: 0, nsec: 0, docker: '1970-01-01T00:00:00.000000000Z' },
];

for (const c of cases) {
  test(`timestamp ${c.input}`, () => {
    const parser = new TimestampParser();
    const bytes = Buffer.from(c.input);
    assert.equal(parser.parse(bytes, 0, bytes.length), true);
    assert.equal(parser.sec, c.sec);
    assert.equal(parser.nsec, c.nsec);
    const out = Buffer.alloc(DOCKER_TIMESTAMP_LEN + 2, '#');
    assert.equal(parser.writeDocker(out, 1), 1 + DOCKER_TIMESTAMP_LEN);
    assert.equal(out.toString(), `#${c.docker}#`);
    assert.equal(formatDockerTimestamp(c.sec, c.nsec), c.docker);
  });
}

const bad = [
  '', '2026-11-27T17:14:43', '2026-11-27T17:14:43.', '2026-11-27T17:14:43.5', '2026-11-27 17:14:43Z',
  '2026-13-27T17:14:43Z', '2026-11-27T24:14:43Z', '2026-11-27T17:14:43+0100', '2026-11-27T17:14:43+01:0x',
  '2026-11-27T17:14:43.5X', 'x026-11-27T17:14:43Z', '2026/11/27T17:14:43Z', '2026-11-27T17:14:43.5+01:00:00',
];
for (const input of bad) {
  test(`timestamp rejects ${JSON.stringify(input)}`, () => assert.equal(parseTimestamp(input), undefined));
}

test('the date-part cache is keyed by date, time and offset', () => {
  const parser = new TimestampParser();
  const seq: [string, number, string][] = [
    ['2026-11-27T17:14:43.000000001+00:00', BASE, '2026-11-27T17:14:43.000000001Z'],
    ['2026-11-27T17:14:43.999999999+00:00', BASE, '2026-11-27T17:14:43.999999999Z'], // hit
    ['2026-11-27T17:14:43.5+01:00', BASE - 3600, '2026-11-27T16:14:43.500000000Z'], // same date, other offset
    ['2026-11-27T17:14:44.5+01:00', BASE - 3599, '2026-11-27T16:14:44.500000000Z'],
    ['2026-11-27T17:14:44.5Z', BASE + 1, '2026-11-27T17:14:44.500000000Z'],
  ];
  for (const [input, sec, docker] of seq) {
    const bytes = Buffer.from(`xx ${input} yy`);
    assert.equal(parser.parse(bytes, 3, 3 + input.length), true, input);
    assert.equal(parser.sec, sec, input);
    const out = Buffer.alloc(DOCKER_TIMESTAMP_LEN);
    parser.writeDocker(out, 0);
    assert.equal(out.toString(), docker, input);
  }
  // a failed parse keeps the previous value
  assert.equal(parser.parse(Buffer.from('nonsense-nonsense-nonsense'), 0, 26), false);
  assert.equal(parser.sec, BASE + 1);
});
