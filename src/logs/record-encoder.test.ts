import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordEncoder, type EncoderOptions } from './record-encoder.ts';

const T1 = '2026-11-27T17:14:43.345467782+00:00';
const T2 = '2026-11-27T17:14:43.345645882+00:00';
const T3 = '2026-11-27T18:17:20.139907998+01:00'; // 17:17:20 UTC
const SEC_1714 = Date.UTC(2026, 10, 27, 17, 14, 43) / 1000;
const SEC_1717 = Date.UTC(2026, 10, 27, 17, 17, 20) / 1000;

const LOG = [
  `${T1} stdout F out-line`,
  `${T2} stderr F err-line`,
  `${T3} stdout P stt`,
  `${T3} stdout P uv`,
  `${T3} stdout F wx`,
].join('\n') + '\n';

const RAW: EncoderOptions = { streams: 3, multiplex: false, timestamps: false };

function encode(log: string | Buffer, options: EncoderOptions): { out: Buffer; batches: Buffer[]; encoder: RecordEncoder } {
  const encoder = new RecordEncoder(options);
  const buf = typeof log === 'string' ? Buffer.from(log) : log;
  encoder.encode(buf, 0, buf.length);
  const batches = encoder.take();
  return { out: Buffer.concat(batches), batches, encoder };
}

/** stdcopy frames -> [stream, payload] */
function demux(buf: Buffer): [number, string][] {
  const frames: [number, string][] = [];
  let at = 0;
  while (at < buf.length) {
    assert.ok(at + 8 <= buf.length, 'truncated frame header');
    assert.deepEqual([...buf.subarray(at + 1, at + 4)], [0, 0, 0]);
    const len = buf.readUInt32BE(at + 4);
    frames.push([buf[at] ?? -1, buf.toString('utf8', at + 8, at + 8 + len)]);
    at += 8 + len;
  }
  assert.equal(at, buf.length);
  return frames;
}

const rawCases: { name: string; options: Partial<EncoderOptions>; want: string }[] = [
  { name: 'both streams: P chunks joined, F adds the newline', options: {}, want: 'out-line\nerr-line\nsttuvwx\n' },
  { name: 'stdout only', options: { streams: 1 }, want: 'out-line\nsttuvwx\n' },
  { name: 'stderr only', options: { streams: 2 }, want: 'err-line\n' },
  {
    name: 'timestamps: UTC, 9 digits, Z, one per message (P chunks too)',
    options: { timestamps: true },
    want: '2026-11-27T17:14:43.345467782Z out-line\n2026-11-27T17:14:43.345645882Z err-line\n' +
      '2026-11-27T17:17:20.139907998Z stt2026-11-27T17:17:20.139907998Z uv2026-11-27T17:17:20.139907998Z wx\n',
  },
  { name: 'since is inclusive', options: { since: { sec: SEC_1714, nsec: 345645882 } }, want: 'err-line\nsttuvwx\n' },
  { name: 'since after everything', options: { since: { sec: SEC_1717, nsec: 139907999 } }, want: '' },
  { name: 'until is inclusive', options: { until: { sec: SEC_1714, nsec: 345645882 } }, want: 'out-line\nerr-line\n' },
  { name: 'until before everything', options: { until: { sec: SEC_1714, nsec: 0 } }, want: '' },
  { name: 'since and until', options: { since: { sec: SEC_1714, nsec: 345467783 }, until: { sec: SEC_1714, nsec: 345645882 } }, want: 'err-line\n' },
];
for (const c of rawCases) {
  test(`encode raw: ${c.name}`, () => assert.equal(encode(LOG, { ...RAW, ...c.options }).out.toString(), c.want));
}

test('encode multiplexed: one stdcopy frame per record, exact bytes', () => {
  const { out } = encode(`${T1} stdout F ab\n${T2} stderr F c\n${T3} stdout P d\n`, { ...RAW, multiplex: true });
  assert.deepEqual([...out], [
    1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x0a,
    2, 0, 0, 0, 0, 0, 0, 2, 0x63, 0x0a,
    1, 0, 0, 0, 0, 0, 0, 1, 0x64,
  ]);
});

test('encode multiplexed with timestamps: the timestamp is inside the frame', () => {
  const { out } = encode(LOG, { ...RAW, multiplex: true, timestamps: true, streams: 2 });
  assert.deepEqual(demux(out), [[2, '2026-11-27T17:14:43.345645882Z err-line\n']]);
  assert.equal(out.readUInt32BE(4), 31 + 9);
});

test('encode multiplexed: frame lengths above 16 bits are big-endian', () => {
  const payload = 'y'.repeat(70000);
  const { out } = encode(`${T1} stdout F ${payload}\n`, { ...RAW, multiplex: true });
  assert.deepEqual([...out.subarray(0, 8)], [1, 0, 0, 0, 0, 0x01, 0x11, 0x71]); // 70001
  assert.deepEqual(demux(out), [[1, `${payload}\n`]]);
});

test('empty P chunks make no frame; empty F lines are a newline', () => {
  const { out } = encode(`${T1} stdout P \n${T1} stdout F \n${T1} stdout F\n`, { ...RAW, multiplex: true });
  assert.deepEqual(demux(out), [[1, '\n'], [1, '\n']]);
});

test('TTY output keeps the CR the terminal wrote', () => {
  assert.equal(encode(`${T1} stdout F hi\r\n`, RAW).out.toString(), 'hi\r\n');
});

test('payload bytes are copied exactly, including invalid UTF-8 and NUL', () => {
  const bytes = [0x00, 0xff, 0xfe, 0x80, 0x20, 0x7f];
  const log = Buffer.concat([Buffer.from(`${T1} stdout F `), Buffer.from(bytes), Buffer.from('\n')]);
  assert.deepEqual([...encode(log, RAW).out], [...bytes, 0x0a]);
});

test('malformed records are skipped and counted', () => {
  const { out, encoder } = encode(`garbage\n${T1} stdout F ok\n${T1} stdin F no\nnot-a-time stdout F bad-time\n`, { ...RAW, timestamps: true });
  assert.equal(out.toString(), '2026-11-27T17:14:43.345467782Z ok\n');
  assert.equal(encoder.malformed, 3);
});

test('until stops the encoder for good', () => {
  const encoder = new RecordEncoder({ ...RAW, until: { sec: SEC_1714, nsec: 345467782 } });
  const buf = Buffer.from(LOG);
  encoder.encode(buf, 0, buf.length);
  assert.equal(encoder.done, true);
  encoder.encode(buf, 0, buf.length);
  assert.equal(Buffer.concat(encoder.take()).toString(), 'out-line\n');
});

test('batches: filled up to batchBytes, a larger message gets its own buffer', () => {
  const lines: string[] = [];
  for (let i = 0; i < 100; i++) lines.push(`${T1} stdout F ${String(i).padStart(10, '0')}`); // 11-byte messages
  lines.push(`${T1} stdout F ${'z'.repeat(300)}`);
  const { batches, out } = encode(lines.join('\n') + '\n', { ...RAW, batchBytes: 100 });
  assert.deepEqual(batches.map((b) => b.length), [...Array<number>(11).fill(99), 11, 301]);
  assert.equal(out.toString(), lines.map((l) => l.slice(T1.length + 10) + '\n').join(''));
});

test('take() hands out each byte once; later records continue in the same batch', () => {
  const encoder = new RecordEncoder(RAW);
  const a = Buffer.from(`${T1} stdout F a\n`);
  encoder.encode(a, 0, a.length);
  const first = encoder.take();
  encoder.encode(a, 0, a.length);
  const second = encoder.take();
  assert.deepEqual([first.map(String), second.map(String), encoder.take()], [['a\n'], ['a\n'], []]);
  assert.equal(first[0]?.buffer, second[0]?.buffer);
});

test('encodeTorn: a record without LF goes out as written, without a newline', () => {
  const encoder = new RecordEncoder({ ...RAW, multiplex: true });
  const torn = Buffer.from(`${T2} stderr F half-a-li`);
  encoder.encodeTorn(torn, 0, torn.length);
  encoder.encodeTorn(Buffer.from('2026-11-27T17:1'), 0, 15); // torn inside the prefix: nothing to show
  assert.deepEqual(demux(Buffer.concat(encoder.take())), [[2, 'half-a-li']]);
  assert.equal(encoder.malformed, 1);
});
