// json-file lines -> Docker wire bytes for GET /containers/{id}/logs: the hot loop of
// `docker logs` on the json-file and local drivers.
//
// The reader puts file bytes into this encoder's input area (readTarget/commit, or push for
// gunzipped chunks); the encoder cuts them into lines, turns each into one message (the
// decoded "log" text with the optional time stamp and --details prefix, in one stdcopy frame
// when multiplexed, as moby's daemon/logs.go does) and appends it to its output area; take()
// hands out what is ready. Input and output live in one ArrayBuffer (the arena), so a payload
// is copied with copyWithin: no view or Buffer per line. When the output area is full, it is
// handed out as it is and a new arena takes over the unread input.
//
// Per line, the fast path scans Docker's own layout in place,
//   {"log":"<text>","stream":"stdout|stderr","time":"<time>"}
// with the text's escapes decoded by hand (\n ends nearly every line; \" \\ \/ \b \f \r \t
// and \uXXXX, surrogate pairs included, as JSON.parse + UTF-8 encoding would give them; a
// lone surrogate becomes U+FFFD like Buffer.from does). Anything else — other key orders,
// "attrs", whitespace, a raw control byte, invalid UTF-8 — goes through JSON.parse, which
// decides exactly as before: entries it rejects, or without a string log and time, are
// counted as malformed and skipped. Empty lines are skipped. A last line without LF is
// never emitted (the writer has not finished it).
import { isUtf8 } from 'node:buffer';
import { detailsPrefix } from './details.ts';
import type { EncoderOptions } from './record-encoder.ts';
import { firstSpecial } from './json-escape-scan.ts';
import { DOCKER_TIMESTAMP_LEN, TimestampParser } from './timestamp-parser.ts';

const LF = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FRAME_HEADER_LEN = 8;
// The fixed parts of Docker's layout, as little-endian 32-bit words (compared four bytes at a time).
const words = (text: string): Int32Array => {
  const b = Buffer.from(text, 'latin1');
  return Int32Array.from({ length: b.length >> 2 }, (_, i) => b.readInt32LE(4 * i));
};
/** `{"log":"` */
const [HEAD0, HEAD1] = words('{"log":"') as unknown as [number, number];
/** What follows the text: `","stream":"stdout","time":"` (28 bytes), or with stderr. */
const MID_WORDS = words('","stream":"stdout","time":"');
const ERR_WORDS = words('","stream":"stderr","time":"');
const MID_LEN = 28;
/** `"}` before the LF. */
const LINE_END = 0x7d22;
/** The shortest line the fast path can match: empty log and time. */
const MIN_FAST = 8 + MID_LEN + 2;

const DEFAULT_IN = 1 << 20;
const DEFAULT_OUT = 2 << 20;
/** The arena of a follower waiting for more (idle()). */
const IDLE_IN = 64 << 10;
const IDLE_OUT = 128 << 10;
/** A line longer than this is dropped (counted as malformed) rather than held in memory. */
const MAX_LINE = 64 << 20;

/** #fast/#slow results (#fast returns the next line's start otherwise) */
const DONE = 0;
const NOT_FAST = -1;
const FULL = -2;

interface Entry { log?: unknown; stream?: unknown; time?: unknown; attrs?: unknown }

export interface JsonEncoderSizes {
  /** Initial input area (a read's size). */
  inBytes?: number;
  /** Output area; a batch handed out is at most this large (unless one message is larger). */
  outBytes?: number;
}

export class JsonLogEncoder {
  /** Set once an entry newer than `until` was seen: nothing more may be emitted. */
  done = false;
  /** Lines skipped because they are not json-file entries. */
  malformed = 0;
  readonly #streams: number;
  readonly #multiplex: boolean;
  readonly #timestamps: boolean;
  readonly #details: boolean;
  readonly #needTime: boolean;
  readonly #since: { sec: number; nsec: number } | undefined;
  readonly #until: { sec: number; nsec: number } | undefined;
  #outBytes: number;
  readonly #clock = new TimestampParser();
  // The arena: [0, #inCap) input, [#inCap, #outEnd) output.
  #whole: Buffer;
  #view: DataView;
  #words: Int32Array;
  #inCap: number;
  #inLen = 0;
  #outBase: number; // start of the output not yet handed out
  #outLen: number;
  #outEnd: number;
  /** Output room the message that did not fit needs (for the next arena). */
  #needOut = 0;
  #ready: Buffer[] = [];
  #skip = 0;
  #dropping = false;

  constructor(options: EncoderOptions, sizes: JsonEncoderSizes = {}) {
    this.#streams = options.streams;
    this.#multiplex = options.multiplex;
    this.#timestamps = options.timestamps;
    this.#details = options.details === true;
    this.#since = options.since;
    this.#until = options.until;
    this.#needTime = options.timestamps || options.since !== undefined || options.until !== undefined;
    this.#outBytes = sizes.outBytes ?? DEFAULT_OUT;
    this.#inCap = sizes.inBytes ?? DEFAULT_IN;
    this.#whole = Buffer.allocUnsafeSlow(this.#inCap + this.#outBytes);
    this.#view = new DataView(this.#whole.buffer, this.#whole.byteOffset, this.#whole.length);
    this.#words = new Int32Array(this.#whole.buffer, 0, this.#whole.buffer.byteLength >> 2);
    this.#outBase = this.#outLen = this.#inCap;
    this.#outEnd = this.#inCap + this.#outBytes;
  }

  /** Skips the next `n` lines (LF-terminated, whatever they hold): --tail. */
  skipLines(n: number): void {
    this.#skip = n;
  }

  /** Where the next read goes: `length` bytes of `buf` from `offset`; then commit(bytesRead). */
  readTarget(): { buf: Buffer; offset: number; length: number } {
    if (this.#inLen === this.#inCap) {
      // No LF in the whole input area: one long line.
      if (this.#inCap * 2 > MAX_LINE) {
        this.#dropping = true;
        this.malformed++;
        this.#inLen = 0;
      } else {
        const inCap = this.#inCap * 2;
        this.#newArena(0, this.#inLen, inCap, Math.max(this.#outBytes, inCap + 64));
      }
    }
    return { buf: this.#whole, offset: this.#inLen, length: this.#inCap - this.#inLen };
  }

  /** `n` bytes were put at readTarget(): encodes the lines they complete. */
  commit(n: number): void {
    const w = this.#whole;
    const inLen = this.#inLen + n;
    this.#inLen = inLen;
    let from = 0;
    if (this.#dropping) {
      const lf = w.indexOf(LF, 0);
      if (lf < 0 || lf >= inLen) { this.#inLen = 0; return; }
      from = lf + 1;
      this.#dropping = false;
      if (this.#skip > 0) this.#skip--;
    }
    while (this.#skip > 0) {
      const lf = w.indexOf(LF, from);
      if (lf < 0 || lf >= inLen) break;
      from = lf + 1;
      this.#skip--;
    }
    let last = inLen > from ? w.lastIndexOf(LF, inLen - 1) : -1;
    if (last >= from && !this.done) {
      const utf8 = isUtf8(w.subarray(from, last + 1));
      let at = from;
      for (;;) {
        at = this.#lines(at, last + 1, utf8);
        if (at > last) break;
        // The output area is full: the rest of the input moves to a new arena.
        this.#newArena(at, this.#inLen, this.#inCap, Math.max(this.#outBytes, this.#needOut));
        last -= at;
        from = 0;
        at = 0;
      }
    }
    // The unfinished line goes to the front of the input area.
    const keep = Math.max(from, last + 1);
    if (keep > 0) {
      this.#whole.copyWithin(0, keep, this.#inLen);
      this.#inLen -= keep;
    }
  }

  /** Copies `chunk` in and encodes the lines it completes (gunzipped files). */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const t = this.readTarget();
      const n = Math.min(t.length, chunk.length - at);
      chunk.copy(t.buf, t.offset, at, at + n);
      at += n;
      this.commit(n);
    }
  }

  /**
   * The reader is about to wait (a follower that caught up): a small arena from now on, with
   * the unfinished line kept, so that many idle followers do not hold megabytes each.
   * Pending output must have been taken.
   */
  idle(): void {
    if (this.#inCap <= IDLE_IN || this.#inLen > IDLE_IN / 2 || this.#outLen > this.#outBase) return;
    this.#outBytes = IDLE_OUT;
    this.#newArena(0, this.#inLen, IDLE_IN, IDLE_OUT);
  }

  /** Forgets the unfinished line (the reader moves on to another file). */
  dropPartial(): void {
    this.#inLen = 0;
    this.#dropping = false;
  }

  /** Hands out everything encoded so far, in order. */
  take(): Buffer[] {
    if (this.#outLen > this.#outBase) {
      this.#ready.push(this.#whole.subarray(this.#outBase, this.#outLen));
      this.#outBase = this.#outLen;
    }
    const out = this.#ready;
    this.#ready = [];
    return out;
  }

  #newArena(keepFrom: number, keepTo: number, inCap: number, outCap: number): void {
    if (this.#outLen > this.#outBase) this.#ready.push(this.#whole.subarray(this.#outBase, this.#outLen));
    const whole = Buffer.allocUnsafeSlow(inCap + outCap);
    this.#whole.copy(whole, 0, keepFrom, keepTo);
    this.#whole = whole;
    this.#view = new DataView(whole.buffer, whole.byteOffset, whole.length);
    this.#words = new Int32Array(whole.buffer, 0, whole.buffer.byteLength >> 2);
    this.#inCap = inCap;
    this.#inLen = keepTo - keepFrom;
    this.#outBase = this.#outLen = inCap;
    this.#outEnd = inCap + outCap;
    this.#needOut = 0;
  }

  /** Encodes the lines in [at, end) (end just past an LF); returns end, or the start of a line that did not fit. */
  #lines(at: number, end: number, utf8: boolean): number {
    const w = this.#whole;
    while (at < end) {
      if (this.done) return end;
      let next = utf8 ? this.#fast(at, end) : NOT_FAST;
      if (next === FULL) return at;
      if (next === NOT_FAST) {
        const lf = w.indexOf(LF, at);
        if (lf > at) {
          let r = utf8 || !isUtf8(w.subarray(at, lf)) ? NOT_FAST : this.#fast(at, end);
          if (r === NOT_FAST) r = this.#slow(at, lf);
          if (r === FULL) return at;
        }
        next = lf + 1;
      }
      at = next;
    }
    return end;
  }

  /**
   * The line at s in Docker's layout: encoded, and the start of the next line returned; or
   * NOT_FAST (nothing done), or FULL (no room in the output area). `end` is just past an LF
   * at or after the line's end: the scans stop at the line's LF, a byte below 0x20.
   */
  #fast(s: number, end: number): number {
    const w = this.#whole;
    const v = this.#view;
    const words = this.#words;
    // Reads up to 28 bytes past `end` stay inside the arena: the output area follows the input.
    if (v.getInt32(s, true) !== HEAD0 || v.getInt32(s + 4, true) !== HEAD1) return NOT_FAST;
    const p = s + 8;
    // The end of the text, and its first escape.
    let i = firstSpecial(w, words, p, end);
    let esc = -1;
    for (;;) {
      const c = w[i];
      if (c === QUOTE) break;
      if (c !== BACKSLASH) return NOT_FAST; // a raw control byte (the LF included): not JSON
      if (esc < 0) esc = i;
      const e = w[i + 1];
      if (e === 0x75) { // \uXXXX
        if (i + 6 > end || hex4(w, i + 2) < 0) return NOT_FAST;
        i += 6;
      } else if (e === 0x6e || e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x74 || e === 0x72 || e === 0x62 || e === 0x66) {
        i += 2;
      } else {
        return NOT_FAST;
      }
      i = firstSpecial(w, words, i, end);
    }
    const q = i;
    // `","stream":"stdout","time":"` (or stderr), then the time, then `"}` LF: compared as words.
    if (v.getInt32(q, true) !== MID_WORDS[0] || v.getInt32(q + 4, true) !== MID_WORDS[1] || v.getInt32(q + 8, true) !== MID_WORDS[2] ||
      v.getInt32(q + 20, true) !== MID_WORDS[5] || v.getInt32(q + 24, true) !== MID_WORDS[6]) return NOT_FAST;
    const w3 = v.getInt32(q + 12, true);
    const w4 = v.getInt32(q + 16, true);
    let stream: number;
    if (w3 === MID_WORDS[3] && w4 === MID_WORDS[4]) stream = 1;
    else if (w3 === ERR_WORDS[3] && w4 === ERR_WORDS[4]) stream = 2;
    else return NOT_FAST;
    const ts = q + MID_LEN;
    const tsEnd = firstSpecial(w, words, ts, end);
    if (w[tsEnd] !== QUOTE || w[tsEnd + 1] !== 0x7d || w[tsEnd + 2] !== LF) return NOT_FAST;
    const next = tsEnd + 3;
    if ((this.#streams & stream) === 0) return next;
    let timeLen = 0;
    if (this.#needTime) {
      if (this.#timeFilter(w, ts, tsEnd) !== 1) return next;
      if (this.#timestamps) timeLen = DOCKER_TIMESTAMP_LEN + 1;
    }
    const details = this.#details ? 1 : 0;
    // Decoding only shrinks the text: q − p bounds it.
    const start = this.#outLen;
    let o = this.#begin(w, timeLen, details + (q - p));
    if (o < 0) return FULL;
    if (details !== 0) w[o++] = 0x20;
    if (esc < 0) {
      w.copyWithin(o, p, q);
      o += q - p;
    } else {
      if (esc > p) w.copyWithin(o, p, esc);
      o = unescapeInto(w, o + (esc - p), esc, q);
    }
    this.#finish(start, o, stream);
    return next;
  }

  /** Since/until for the time in buf[ts, tsEnd): 1 = emit, 0 = skip (sets done past until). */
  #timeFilter(buf: Buffer, ts: number, tsEnd: number): number {
    const clock = this.#clock;
    if (!clock.parse(buf, ts, tsEnd)) {
      this.malformed++;
      return 0;
    }
    const since = this.#since;
    if (since !== undefined && (clock.sec < since.sec || (clock.sec === since.sec && clock.nsec < since.nsec))) return 0;
    const until = this.#until;
    if (until !== undefined && (clock.sec > until.sec || (clock.sec === until.sec && clock.nsec > until.nsec))) {
      this.done = true;
      return 0;
    }
    return 1;
  }

  /**
   * Starts an entry of at most `bodyMax` bytes after its frame header and timestamp: the offset
   * to write the body at, or -1 when the output area has no room (the size needed is kept).
   */
  #begin(w: Buffer, timeLen: number, bodyMax: number): number {
    const head = this.#multiplex ? FRAME_HEADER_LEN : 0;
    const need = head + timeLen + bodyMax;
    if (this.#outLen + need > this.#outEnd) {
      this.#needOut = need;
      return -1;
    }
    let o = this.#outLen + head;
    if (timeLen !== 0) {
      o = this.#clock.writeDocker(w, o);
      w[o++] = 0x20;
    }
    return o;
  }

  /** The message is in [start + header, o): drops it if empty, else fills in the frame header. */
  #finish(start: number, o: number, stream: number): void {
    const w = this.#whole;
    if (!this.#multiplex) {
      this.#outLen = o;
      return;
    }
    const len = o - start - FRAME_HEADER_LEN;
    // An empty message is not sent; moby's stdcopy writer skips them too.
    if (len === 0) return;
    w[start] = stream; w[start + 1] = 0; w[start + 2] = 0; w[start + 3] = 0;
    w[start + 4] = len >>> 24; w[start + 5] = (len >>> 16) & 0xff; w[start + 6] = (len >>> 8) & 0xff; w[start + 7] = len & 0xff;
    this.#outLen = o;
  }

  // Everything the fast path does not take: parsed as JSON, as moby's decoder would.
  #slow(s: number, lf: number): number {
    const w = this.#whole;
    let e: Entry;
    try { e = JSON.parse(w.toString('utf8', s, lf)) as Entry; } catch { this.malformed++; return DONE; }
    if (e === null || typeof e !== 'object' || typeof e.log !== 'string' || typeof e.time !== 'string') { this.malformed++; return DONE; }
    const stream = e.stream === 'stderr' ? 2 : 1;
    if ((this.#streams & stream) === 0) return DONE;
    let timeLen = 0;
    if (this.#needTime) {
      const t = Buffer.from(e.time, 'utf8');
      if (this.#timeFilter(t, 0, t.length) !== 1) return DONE;
      if (this.#timestamps) timeLen = DOCKER_TIMESTAMP_LEN + 1;
    }
    const prefix = this.#details ? detailsPrefix(e.attrs) : '';
    const text = prefix + e.log;
    const start = this.#outLen;
    let o = this.#begin(w, timeLen, Buffer.byteLength(text, 'utf8'));
    if (o < 0) return FULL;
    o += w.write(text, o, 'utf8');
    this.#finish(start, o, stream);
    return DONE;
  }
}

/** The value of 4 hex digits at buf[at], or -1. */
function hex4(buf: Buffer, at: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = buf[at + k]!;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/**
 * Decodes the JSON string text buf[from, to) (escapes already validated by the scan) to
 * UTF-8 at buf[o] (the output area: never overlapping the text); returns the end.
 */
function unescapeInto(buf: Buffer, o: number, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = buf[i]!;
    if (c !== BACKSLASH) { buf[o++] = c; i++; continue; }
    const e = buf[i + 1];
    i += 2;
    switch (e) {
      case 0x6e: buf[o++] = 0x0a; continue;
      case 0x74: buf[o++] = 0x09; continue;
      case 0x72: buf[o++] = 0x0d; continue;
      case 0x62: buf[o++] = 0x08; continue;
      case 0x66: buf[o++] = 0x0c; continue;
      case 0x75: break;
      default: buf[o++] = e!; continue; // \" \\ \/
    }
    let cp = hex4(buf, i);
    i += 4;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= to && buf[i] === BACKSLASH && buf[i + 1] === 0x75) {
      const lo = hex4(buf, i + 2);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i += 6;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate: what UTF-8 encoding of the string gives
    if (cp < 0x80) buf[o++] = cp;
    else if (cp < 0x800) {
      buf[o++] = 0xc0 | (cp >> 6);
      buf[o++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      buf[o++] = 0xe0 | (cp >> 12);
      buf[o++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[o++] = 0x80 | (cp & 0x3f);
    } else {
      buf[o++] = 0xf0 | (cp >> 18);
      buf[o++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[o++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[o++] = 0x80 | (cp & 0x3f);
    }
  }
  return o;
}
