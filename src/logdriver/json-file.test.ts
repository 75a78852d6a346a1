import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { encodeJsonLine, firstToEscape, maxLineBytes, RotatingJsonFile, rotatedNames } from './json-file.ts';
import { newRecord, nextRecord, scanRecord, dockerTime, type CaptureRecord } from './record.ts';

function rec(line: string): CaptureRecord {
  const b = Buffer.from(line + '\n');
  const r = newRecord();
  assert.ok(scanRecord(b, 0, b.length - 1, r), line);
  return r;
}

function encode(line: string): string {
  const r = rec(line);
  const out = Buffer.alloc(maxLineBytes(r));
  return out.toString('utf8', 0, encodeJsonLine(out, 0, r));
}

test('k8s-file record → Docker JSON line (escaping, partial records, stderr, time zone)', () => {
  const table: [string, unknown][] = [
    ['2026-11-27T17:14:43.345467782+00:00 stdout F hello', { log: 'hello\n', stream: 'stdout', time: '2026-11-27T17:14:43.345467782Z' }],
    ['2026-11-27T17:14:43.000000001+00:00 stderr F a "q" \\ \t\r\x01 é ✓', { log: 'a "q" \\ \t\r\x01 é ✓\n', stream: 'stderr', time: '2026-11-27T17:14:43.000000001Z' }],
    ['2026-11-27T17:14:43.345467782+00:00 stdout P no-newline', { log: 'no-newline', stream: 'stdout', time: '2026-11-27T17:14:43.345467782Z' }],
    ['2026-11-27T18:14:43.5+01:00 stdout F tz', { log: 'tz\n', stream: 'stdout', time: '2026-11-27T17:14:43.500000000Z' }],
    ['2026-11-27T17:14:43.345467782+00:00 stdout F ', { log: '\n', stream: 'stdout', time: '2026-11-27T17:14:43.345467782Z' }],
  ];
  for (const [line, want] of table) {
    const text = encode(line);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(JSON.parse(text), want, line);
    assert.deepEqual(Object.keys(JSON.parse(text)), ['log', 'stream', 'time']);
  }
  const r = newRecord();
  const junk = Buffer.from('not a record\n');
  assert.equal(scanRecord(junk, 0, junk.length - 1, r), false);
  assert.equal(dockerTime(rec('2026-11-27T17:14:43.1+00:00 stdout F x')), '2026-11-27T17:14:43.1Z');
});

test('json-file attrs: between stream and time, as moby writes them', () => {
  const r = rec('2026-11-27T17:14:43.345467782+00:00 stderr F hi');
  const attrs = '{"APP":"shop","tag":"web"}';
  const out = Buffer.alloc(maxLineBytes(r, attrs));
  const text = out.toString('utf8', 0, encodeJsonLine(out, 0, r, attrs));
  assert.equal(text, '{"log":"hi\\n","stream":"stderr","attrs":{"APP":"shop","tag":"web"},"time":"2026-11-27T17:14:43.345467782Z"}\n');
});

test('firstToEscape finds the first byte JSON escapes, four at a time, at any alignment', () => {
  const slow = (b: Buffer, s: number, e: number): number => {
    for (let i = s; i < e; i++) if (b[i]! < 0x20 || b[i] === 0x22 || b[i] === 0x5c) return i;
    return e;
  };
  const table: [string, number][] = [['', 0], ['plain ascii text, long enough for words', -1], ['é✓ utf-8 only ÿÿÿÿ', -1], ['abcdefgh"', 8],
    ['abcdefghijkl\\x', 12], ['abcdefghijklmnop\x1b[0m', 16], ['\t', 0], ['0123456789abcdef\x7f\x80\x1f', 19]]; // U+0080 is two UTF-8 bytes
  for (const [text, want] of table) {
    const b = Buffer.from(text);
    assert.equal(firstToEscape(b, 0, b.length), want < 0 ? b.length : want, JSON.stringify(text));
  }
  // Against the byte loop: random bytes (rare specials), random start/end and buffer offsets.
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const pool = Buffer.alloc(4096);
  for (let k = 0; k < 5000; k++) {
    const off = rnd(64);
    const len = rnd(200);
    const b = pool.subarray(off, off + len);
    for (let i = 0; i < len; i++) { const r = rnd(100); b[i] = r < 2 ? rnd(32) : r === 2 ? 0x22 : r === 3 ? 0x5c : 0x20 + rnd(224); }
    const s = rnd(len + 1);
    const e = s + rnd(len - s + 1);
    assert.equal(firstToEscape(b, s, e), slow(b, s, e));
  }
});

test('nextRecord walks a capture chunk: records, malformed lines, an incomplete tail', () => {
  const chunk = Buffer.from([
    '2026-11-27T17:14:43.345467782+00:00 stdout F one',
    '2026-11-27T18:14:43.5+01:00 stderr P two',
    'junk without fields',
    '2026-11-27T17:14:43.345467782+00:00 stdxxx F bad stream',
    '2026-11-27T17:14:43.345467782+00:00 stdout F ',
    '2026-11-27T17:14:43.345467782+00:00 stdout F incomplete',
  ].join('\n'));
  const r = newRecord();
  const seen: string[] = [];
  let at = 0;
  for (;;) {
    const next = nextRecord(chunk, at, chunk.length, r);
    if (next < 0) break;
    seen.push(r.valid ? `${r.stream}${r.partial ? 'P' : 'F'}:${chunk.toString('utf8', r.payloadStart, r.payloadEnd)}@${chunk.toString('latin1', r.tsStart, r.tsEnd)}` : 'invalid');
    at = next;
  }
  assert.deepEqual(seen, ['1F:one@2026-11-27T17:14:43.345467782+00:00', '2P:two@2026-11-27T18:14:43.5+01:00', 'invalid', 'invalid', '1F:@2026-11-27T17:14:43.345467782+00:00']);
  assert.equal(chunk.toString('utf8', at), '2026-11-27T17:14:43.345467782+00:00 stdout F incomplete');
});

function lines(path: string): string[] {
  const raw = path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString() : readFileSync(path, 'utf8');
  return raw.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { log: string }).log.trim());
}

test('rotation: never more than max-size per file nor max-file files; the newest lines survive in order', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonfile-');
  try {
    const path = join(dir, 'c-json.log');
    const f = new RotatingJsonFile(path, { maxSize: 1000, maxFile: 3, compress: false }, (e) => { throw e; });
    for (let i = 1; i <= 200; i++) {
      f.record(rec(`2026-11-27T17:14:43.000000000+00:00 stdout F line-${i}`));
      if (i % 7 === 0) await f.flush();
    }
    await f.close();
    assert.deepEqual(readdirSync(dir).sort(), ['c-json.log', 'c-json.log.1', 'c-json.log.2']);
    for (const n of readdirSync(dir)) assert.ok(statSync(join(dir, n)).size <= 1000, n);
    const all = rotatedNames(path, 3, false).flatMap(lines);
    const first = Number(all[0]!.slice(5));
    assert.deepEqual(all, Array.from({ length: 201 - first }, (_, i) => `line-${first + i}`));
    // Full files: each rotated file is close to max-size (a record of ~80 bytes did not fit).
    assert.ok(statSync(`${path}.1`).size > 900);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rotation with compress: .N.gz files, and max-file 1 truncates in place; reopening appends', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonfile-');
  try {
    const path = join(dir, 'c.log');
    const f = new RotatingJsonFile(path, { maxSize: 500, maxFile: 3, compress: true }, (e) => { throw e; });
    for (let i = 1; i <= 60; i++) { f.record(rec(`2026-11-27T17:14:43.000000000+00:00 stdout F gz-${i}`)); await f.flush(); }
    await f.close();
    assert.deepEqual(readdirSync(dir).sort(), ['c.log', 'c.log.1.gz', 'c.log.2.gz']);
    const all = rotatedNames(path, 3, true).flatMap(lines);
    assert.equal(all.at(-1), 'gz-60');
    const first = Number(all[0]!.slice(3));
    assert.deepEqual(all, Array.from({ length: 61 - first }, (_, i) => `gz-${first + i}`));

    const one = join(dir, 'one.log');
    const g = new RotatingJsonFile(one, { maxSize: 300, maxFile: 1, compress: false }, (e) => { throw e; });
    for (let i = 1; i <= 20; i++) g.record(rec(`2026-11-27T17:14:43.000000000+00:00 stdout F one-${i}`));
    await g.close();
    assert.ok(!existsSync(`${one}.1`));
    assert.ok(statSync(one).size <= 300);
    assert.equal(lines(one).at(-1), 'one-20');
    const again = new RotatingJsonFile(one, { maxSize: 300, maxFile: 1, compress: false }, (e) => { throw e; });
    again.record(rec('2026-11-27T17:14:43.000000000+00:00 stdout F appended'));
    await again.close();
    assert.equal(lines(one).at(-1), 'appended');
    assert.ok(lines(one).length >= 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('P records are joined with the rest of their line (dockerd splits only at 16 KiB); another stream in between flushes them', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonfile-');
  try {
    const path = join(dir, 'p.log');
    const f = new RotatingJsonFile(path, { maxSize: 0, maxFile: 1, compress: false }, (e) => { throw e; });
    const t = (n: number): string => `2026-11-27T17:14:4${n}.000000000+00:00`;
    f.record(rec(`${t(1)} stdout P abc`));
    await f.flush();
    f.record(rec(`${t(2)} stdout P def`));
    f.record(rec(`${t(3)} stdout F ghi`));
    f.record(rec(`${t(4)} stdout P left`));
    f.record(rec(`${t(5)} stderr F err`));
    f.record(rec(`${t(6)} stdout P tail`));
    f.record(rec(`${t(6)} stdout F \t"end`));
    // A time not in conmon's form (no line end to share): the generic path, escapes in both parts.
    f.record(rec(`2026-11-27T17:14:47Z stdout P x\\`));
    f.record(rec(`${t(8)} stdout F y"z`));
    // Past 16 KiB the joined part goes out as a partial line; the rest starts a new one.
    f.record(rec(`${t(9)} stderr P ${'a'.repeat(10_000)}`));
    f.record(rec(`${t(9)} stderr P ${'b'.repeat(10_000)}`));
    f.record(rec(`${t(9)} stderr F c`));
    f.record(rec(`${t(9)} stdout P last`));
    await f.close();
    const entries = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
    assert.deepEqual(entries, [
      { log: 'abcdefghi\n', stream: 'stdout', time: '2026-11-27T17:14:41.000000000Z' },
      { log: 'left', stream: 'stdout', time: '2026-11-27T17:14:44.000000000Z' },
      { log: 'err\n', stream: 'stderr', time: '2026-11-27T17:14:45.000000000Z' },
      { log: 'tail\t"end\n', stream: 'stdout', time: '2026-11-27T17:14:46.000000000Z' },
      { log: 'x\\y"z\n', stream: 'stdout', time: '2026-11-27T17:14:47.000000000Z' },
      { log: 'a'.repeat(10_000) + 'b'.repeat(10_000), stream: 'stderr', time: '2026-11-27T17:14:49.000000000Z' },
      { log: 'c\n', stream: 'stderr', time: '2026-11-27T17:14:49.000000000Z' },
      { log: 'last', stream: 'stdout', time: '2026-11-27T17:14:49.000000000Z' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shared line ending follows each record\'s stream and time stamp (same stamp, other stream, stamp back, other offset), and the attrs', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonfile-');
  try {
    const path = join(dir, 's.log');
    const f = new RotatingJsonFile(path, { maxSize: 0, maxFile: 1, compress: false }, (e) => { throw e; }, '{"k":"v"}');
    const a = '2026-11-27T17:14:41.000000001+00:00';
    const b = '2026-11-27T17:14:41.000000002+00:00';
    const c = '2026-11-27T18:14:41.000000002+01:00';
    // One buffer holding several records, as the shipper hands them (the stamps at odd offsets).
    const chunk = Buffer.from(['x', `${a} stdout F 1`, `${a} stdout F 2`, `${a} stderr F 3`, `${b} stderr F 4`, `${a} stderr F 5`, `${c} stderr F 6`, `${b} stdout F 7`, `${b} stdout F 8`].join('\n') + '\n');
    const r = newRecord();
    let at = chunk.indexOf(0x0a) + 1;
    for (;;) {
      const next = nextRecord(chunk, at, chunk.length, r);
      if (next < 0) break;
      assert.ok(r.valid);
      f.record(r);
      at = next;
    }
    await f.close();
    const got = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { log: string; stream: string; attrs: unknown; time: string });
    const z = (ts: string): string => ts.slice(0, 29) + 'Z';
    assert.deepEqual(got.map((e) => [e.log, e.stream, e.time]), [
      ['1\n', 'stdout', z(a)], ['2\n', 'stdout', z(a)], ['3\n', 'stderr', z(a)], ['4\n', 'stderr', z(b)], ['5\n', 'stderr', z(a)],
      ['6\n', 'stderr', '2026-11-27T17:14:41.000000002Z'], ['7\n', 'stdout', z(b)], ['8\n', 'stdout', z(b)],
    ]);
    for (const e of got) assert.deepEqual(e.attrs, { k: 'v' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records() fast path writes exactly what record() writes: mixed captures, rotation cuts, a long suffix, chunks of any size', async () => {
  const dir = mkdtempSync('/tmp/berth-test-fast-');
  try {
    // A capture of conmon's shapes: runs of lines sharing a time stamp, both streams, P records,
    // escapes and UTF-8, a time not in UTC, a line that is no record, long payloads.
    const payloads = ['plain', 'q "x" \\ y', 'tab\there', 'c\x01\x1f', 'é ü 日本', '', 'z'.repeat(700), 'r\r'];
    let text = '';
    let ns = 0;
    for (let i = 0; i < 3000; i++) {
      if (i % 17 === 0) ns += 1234567;
      const off = i % 400 === 399 ? '+01:00' : '+00:00';
      const ts = `2026-11-27T17:14:${String(10 + (Math.floor(ns / 1e9) % 40)).padStart(2, '0')}.${String(ns % 1e9).padStart(9, '0')}${off}`;
      if (i % 1000 === 500) text += 'garbage\n';
      text += `${ts} ${i % 7 === 0 ? 'stderr' : 'stdout'} ${i % 11 === 0 ? 'P' : 'F'} ${payloads[i % payloads.length]}\n`;
    }
    const capture = Buffer.from(text);
    for (const [attrs, maxSize, chunk] of [[null, 50_000, 1 << 20], ['{"tag":"' + 't'.repeat(400) + '"}', 30_000, 4096], [null, 0, 333]] as const) {
      const outputs: string[] = [];
      for (const fast of [false, true]) {
        const path = join(dir, `${fast}-${maxSize}-json.log`);
        const f = new RotatingJsonFile(path, { maxSize, maxFile: 3, compress: false }, (e) => { throw e; }, attrs);
        const r = newRecord();
        // Chunks as the shipper hands them: cut anywhere, the incomplete last record carried
        // over to the front of the next one.
        let carry = Buffer.alloc(0);
        for (let from = 0; from < capture.length;) {
          const end = Math.min(capture.length, from + chunk - (from % 7));
          const buf = Buffer.concat([carry, capture.subarray(from, end)]);
          let at = 0;
          for (;;) {
            if (fast) at = f.records(buf, at, buf.length);
            const next = nextRecord(buf, at, buf.length, r);
            if (next < 0) break;
            if (r.valid) f.record(r);
            at = next;
          }
          carry = Buffer.from(buf.subarray(at));
          await f.flush();
          // Now and then the shipper finds the container quiet: buffers shrink, output must not change.
          if (fast && (end / chunk) % 3 < 1) f.trim();
          from = end;
        }
        assert.equal(carry.length, 0);
        await f.close();
        outputs.push(rotatedNames(path, 3, false).filter((p) => existsSync(p)).map((p) => readFileSync(p, 'utf8')).join('|'));
      }
      assert.equal(outputs[1], outputs[0], `attrs ${attrs !== null}, max-size ${maxSize}, chunk ${chunk}`);
      for (const line of outputs[0]!.split(/\n|\|/).filter(Boolean)) JSON.parse(line);
      if (maxSize > 0) for (const p of readdirSync(dir)) assert.ok(statSync(join(dir, p)).size <= maxSize, p);
      for (const p of readdirSync(dir)) rmSync(join(dir, p));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
