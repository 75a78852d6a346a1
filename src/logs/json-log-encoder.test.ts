import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonLogEncoder } from './json-log-encoder.ts';
import { detailsPrefix } from './details.ts';
import type { EncoderOptions } from './record-encoder.ts';

// The reference: what the reader did before the fast path, one JSON.parse per line.
function reference(file: Buffer, o: EncoderOptions): Buffer {
  const parts: Buffer[] = [];
  let done = false;
  let at = 0;
  for (let lf = file.indexOf(0x0a); lf >= 0 && !done; lf = file.indexOf(0x0a, at)) {
    const text = file.toString('utf8', at, lf);
    at = lf + 1;
    if (text === '') continue;
    let e: { log?: unknown; stream?: unknown; time?: unknown; attrs?: unknown } | null;
    try { e = JSON.parse(text) as typeof e; } catch { continue; }
    if (e === null || typeof e !== 'object' || typeof e.log !== 'string' || typeof e.time !== 'string') continue;
    const stream = e.stream === 'stderr' ? 2 : 1;
    if ((o.streams & stream) === 0) continue;
    let ts = '';
    if (o.since !== undefined || o.until !== undefined || o.timestamps) {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(e.time);
      if (!m) continue;
      const t = { sec: Date.parse(m[1]! + m[3]!) / 1000, nsec: Number((m[2] ?? '').padEnd(9, '0')) };
      if (o.since !== undefined && (t.sec < o.since.sec || (t.sec === o.since.sec && t.nsec < o.since.nsec))) continue;
      if (o.until !== undefined && (t.sec > o.until.sec || (t.sec === o.until.sec && t.nsec > o.until.nsec))) { done = true; continue; }
      if (o.timestamps) ts = new Date(t.sec * 1000).toISOString().slice(0, 19) + '.' + String(t.nsec).padStart(9, '0') + 'Z ';
    }
    const payload = Buffer.from(ts + (o.details === true ? detailsPrefix(e.attrs) : '') + e.log, 'utf8');
    if (payload.length === 0) continue;
    if (o.multiplex) {
      const h = Buffer.alloc(8);
      h[0] = stream;
      h.writeUInt32BE(payload.length, 4);
      parts.push(h);
    }
    parts.push(payload);
  }
  return Buffer.concat(parts);
}

function encodeAll(file: Buffer, o: EncoderOptions, chunks: number[], sizes = {}): { out: Buffer; enc: JsonLogEncoder } {
  const enc = new JsonLogEncoder(o, sizes);
  const parts: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < file.length && !enc.done) {
    const n = Math.max(1, Math.min(chunks[k++ % chunks.length]!, file.length - at));
    enc.push(file.subarray(at, at + n));
    at += n;
    parts.push(...enc.take());
  }
  parts.push(...enc.take());
  return { out: Buffer.concat(parts), enc };
}

const line = (log: string, stream = 'stdout', time = '2026-11-27T17:14:43.345467782Z'): string => JSON.stringify({ log, stream, time }) + '\n';
const base: EncoderOptions = { streams: 3, multiplex: false, timestamps: false };

test('fast path: Docker lines, escapes decoded as JSON.parse does, frames and options', () => {
  const cases: Array<[string, string, EncoderOptions, string]> = [
    ['plain', line('hello\n'), base, 'hello\n'],
    ['escapes', line('a"b\\c/d\te\r\bf\fg\u0001\n'), base, 'a"b\\c/d\te\r\bf\fg\u0001\n'],
    ['escaped solidus and \\u forms', '{"log":"\\/\\u00e9\\u20AC\\ud83d\\ude00\\u0000x","stream":"stdout","time":"2026-11-27T17:14:43Z"}\n', base, '/é€😀\u0000x'],
    ['lone surrogate -> U+FFFD', '{"log":"a\\ud800b\\udc00","stream":"stdout","time":"t"}\n', base, 'a\ufffdb\ufffd'],
    ['raw UTF-8', line('žluťoučký 🐎\n'), base, 'žluťoučký 🐎\n'],
    ['stderr only', line('o\n') + line('e\n', 'stderr'), { ...base, streams: 2 }, 'e\n'],
    ['timestamps', line('x\n', 'stdout', '2026-11-27T18:14:43.5+01:00'), { ...base, timestamps: true }, '2026-11-27T17:14:43.500000000Z x\n'],
    ['details without attrs', line('x\n'), { ...base, details: true }, ' x\n'],
    ['details with attrs (slow path)', '{"log":"x\\n","stream":"stdout","attrs":{"b":"2 3","a":"1"},"time":"t"}\n', { ...base, details: true }, 'a=1,b=2+3 x\n'],
    ['other key order, whitespace', '{ "time":"t", "stream":"stderr", "log":"y\\n" }\r\n', base, 'y\n'],
    ['junk, blank, non-string log, empty log', 'not json\n\n{"log":1,"time":"t"}\n' + line('') + line('z\n'), base, 'z\n'],
    ['raw control byte: not JSON', '{"log":"a\tb","stream":"stdout","time":"t"}\n' + line('ok\n'), base, 'ok\n'],
    ['bad escape: not JSON', '{"log":"a\\xb","stream":"stdout","time":"t"}\n', base, ''],
    ['torn last line is not emitted', line('a\n') + '{"log":"b\\n","str', base, 'a\n'],
  ];
  for (const [name, file, o, want] of cases) {
    const { out } = encodeAll(Buffer.from(file), o, [1 << 20]);
    assert.equal(out.toString(), want, name);
    assert.deepEqual(out, reference(Buffer.from(file), o), `${name}: reference`);
  }
  const { out } = encodeAll(Buffer.from(line('ab\n') + line('', 'stderr') + line('c', 'stderr')), { ...base, multiplex: true }, [7]);
  assert.deepEqual([...out], [1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x0a, 2, 0, 0, 0, 0, 0, 0, 1, 0x63]);
});

test('invalid UTF-8 goes through JSON.parse (replacement characters), the rest of the chunk stays fast', () => {
  const file = Buffer.concat([Buffer.from(line('a\n')), Buffer.from('{"log":"x'), Buffer.from([0xff, 0xc3]), Buffer.from('y\\n","stream":"stdout","time":"t"}\n'), Buffer.from(line('b\n'))]);
  const { out, enc } = encodeAll(file, base, [1 << 20]);
  assert.equal(out.toString(), 'a\nx\ufffd\ufffdy\nb\n');
  assert.equal(enc.malformed, 0);
});

test('since/until, skipLines, malformed count, long lines through small arenas', () => {
  const t = (s: number): string => `2026-11-27T17:14:${String(s).padStart(2, '0')}.000000001Z`;
  const file = Buffer.from([1, 2, 3, 4, 5].map((s) => line(`l${s}\n`, 'stdout', t(s))).join(''));
  const since = { sec: Date.parse('2026-11-27T17:14:02Z') / 1000, nsec: 1 };
  const until = { sec: Date.parse('2026-11-27T17:14:04Z') / 1000, nsec: 0 };
  const r = encodeAll(file, { ...base, since, until }, [5]);
  assert.equal(r.out.toString(), 'l2\nl3\n');
  assert.equal(r.enc.done, true);
  const enc = new JsonLogEncoder(base);
  enc.skipLines(3);
  enc.push(Buffer.from('junk\n' + file.toString()));
  assert.equal(Buffer.concat(enc.take()).toString(), 'l3\nl4\nl5\n');
  const m = encodeAll(Buffer.from('x\n{"log":"a"}\n' + line('ok\n')), base, [3]);
  assert.equal(m.enc.malformed, 2);
  const long = 'ü'.repeat(5000) + '"\n';
  const big = Buffer.from(line(long) + line('s\n') + line(long, 'stderr'));
  for (const mux of [false, true]) {
    const o = { ...base, multiplex: mux, timestamps: true };
    assert.deepEqual(encodeAll(big, o, [100, 3000, 1], { inBytes: 64, outBytes: 128 }).out, reference(big, o));
  }
});

test('random files match the JSON.parse reference, whatever the chunking and arena sizes', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  const alphabet = ['a', 'b', ' ', '\n', '\t', '"', '\\', '/', '\u0001', '\u007f', 'é', '€', '😀', '\ud800', '\udc00', '\u2028', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'];
  const text = (): string => Array.from({ length: rnd(12) }, () => alphabet[rnd(alphabet.length)]).join('');
  // Escapes JSON.stringify never writes: \/ and \uXXXX for ordinary characters.
  const oddEscapes = (json: string): string => json.replace(/[a/é]/g, (c) => (rnd(3) === 0 ? (c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : c));
  for (let round = 0; round < 40; round++) {
    const lines: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const kind = rnd(20);
      const time = `2026-11-27T17:14:${String(rnd(60)).padStart(2, '0')}.${String(rnd(1e9)).padStart(9, '0')}Z`;
      const stream = rnd(3) === 0 ? 'stderr' : 'stdout';
      if (kind === 0) lines.push(Buffer.from('garbage ' + text() + '\n'));
      else if (kind === 1) lines.push(Buffer.from('\n'));
      else if (kind === 2) lines.push(Buffer.from(JSON.stringify({ log: text(), stream, attrs: { k: text() }, time }) + '\n'));
      else if (kind === 3) lines.push(Buffer.concat([Buffer.from('{"log":"'), Buffer.from([0xe2, 0x82]), Buffer.from(`","stream":"${stream}","time":"${time}"}\n`)]));
      else if (kind === 4) lines.push(Buffer.from(JSON.stringify({ stream, time, log: text() }) + '\n'));
      else lines.push(Buffer.from(oddEscapes(JSON.stringify({ log: text(), stream, time })) + '\n'));
    }
    const file = Buffer.concat(lines);
    const o: EncoderOptions = {
      streams: 1 + rnd(3), multiplex: rnd(2) === 0, timestamps: rnd(2) === 0, details: rnd(2) === 0,
      since: rnd(3) === 0 ? { sec: Date.parse('2026-11-27T17:14:20Z') / 1000, nsec: rnd(1e9) } : undefined,
      until: rnd(3) === 0 ? { sec: Date.parse('2026-11-27T17:14:50Z') / 1000, nsec: rnd(1e9) } : undefined,
    };
    const want = reference(file, o);
    const sizes = rnd(2) === 0 ? {} : { inBytes: 16 + rnd(200), outBytes: 16 + rnd(300) };
    const { out } = encodeAll(file, o, [1 + rnd(50), 1 + rnd(2000), 1 + rnd(5)], sizes);
    assert.deepEqual(out, want, `round ${round} ${JSON.stringify({ o, sizes })}`);
  }
});

test('idle(): a follower that waits keeps its unfinished line in a small arena, and reads on as before', () => {
  const enc = new JsonLogEncoder(base);
  const first = Buffer.from(line('a\n') + line('b\n'));
  const cut = first.length - 7;
  enc.push(first.subarray(0, cut));
  const got = [...enc.take()];
  enc.idle();
  enc.push(first.subarray(cut));
  const big = Buffer.from(line('x'.repeat(200_000) + '\n') + line('c\n'));
  enc.push(big);
  got.push(...enc.take());
  assert.equal(Buffer.concat(got).toString(), 'a\nb\n' + 'x'.repeat(200_000) + '\nc\n');
});
