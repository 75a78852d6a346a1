// The json-file and local drivers: Docker's on-disk JSON lines
//   {"log":"line\n","stream":"stdout","time":"2026-11-27T17:14:43.345467782Z"}
// in <file>, rotated to <file>.1 … <file>.<max-file − 1> (gzipped to .N.gz with compress)
// before a record would take the current file past max-size, so the files never hold more
// than max-size × max-file (moby daemon/logger/loggerutils/logfile.go).
//
// Writes are synchronous page-cache writes of one batch (what one read of the capture
// produced, ≤ ~6 MiB even if every byte needs escaping); rotation renames are synchronous
// too; only compression runs in the background, and the next rotation waits for it.
import { close, closeSync, fstat, fstatSync, open, openSync, renameSync, unlinkSync, writeSync, ftruncateSync, createReadStream, createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FileOptions } from './options.ts';
import { dockerTime, type CaptureRecord } from './record.ts';
import type { Driver } from './driver.ts';
import { EscapeScanner, firstSpecial } from '../logs/index.ts';

const HEAD = Buffer.from('{"log":"');
const STDOUT = Buffer.from('","stream":"stdout","time":"');
const STDERR = Buffer.from('","stream":"stderr","time":"');
const HEX = '0123456789abcdef';
const LINE_END = Buffer.from('"}\n');
/** `{"log":"` as two little-endian 32-bit words. */
const HEAD0 = HEAD.readInt32LE(0);
const HEAD1 = HEAD.readInt32LE(4);
/** conmon's time stamps: nanoseconds and a ±hh:mm offset. */
const TS_LEN = 35;

// A DataView of a read buffer's memory (cached: one per buffer), for word compares.
let viewFor: ArrayBufferLike | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
function viewOf(b: Buffer): DataView<ArrayBufferLike> {
  if (viewFor !== b.buffer) {
    viewFor = b.buffer;
    view = new DataView(b.buffer);
  }
  return view;
}

// The writer's own scanner (logs/json-escape-scan.ts): its word view stays on the writer's buffers.
const scanner = new EscapeScanner();

/** The index of the first byte in src[start, end) that JSON must escape (< 0x20, '"', '\\'), or end. */
export function firstToEscape(src: Buffer, start: number, end: number): number {
  return scanner.firstToEscape(src, start, end);
}

// Plain Uint8Array views of the last buffers seen (their subarray() makes no Buffer).
let bytesA: Buffer | null = null;
let viewA: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
let bytesB: Buffer | null = null;
let viewB: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
function bytesOf(b: Buffer): Uint8Array<ArrayBufferLike> {
  if (b === bytesA) return viewA;
  if (b === bytesB) return viewB;
  bytesB = bytesA; viewB = viewA;
  bytesA = b; viewA = new Uint8Array(b.buffer, b.byteOffset, b.length);
  return viewA;
}

/** Appends the JSON-escaped bytes of src[start, end) to out at `at`; returns the new end. UTF-8 passes through. */
export function escapeInto(out: Buffer, at: number, src: Buffer, start: number, end: number): number {
  // Most log bytes need no escaping: find the first that does, copy what is before it in one
  // native call, and escape byte by byte only from there.
  let i = firstToEscape(src, start, end);
  if (i > start) {
    // TypedArray#set (a V8 builtin) costs less per call than Buffer#copy's binding.
    bytesOf(out).set(bytesOf(src).subarray(start, i), at);
    at += i - start;
  }
  for (; i < end; i++) {
    const c = src[i]!;
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) { out[at++] = c; continue; }
    out[at++] = 0x5c;
    if (c === 0x22 || c === 0x5c) out[at++] = c;
    else if (c === 0x0a) out[at++] = 0x6e;
    else if (c === 0x0d) out[at++] = 0x72;
    else if (c === 0x09) out[at++] = 0x74;
    else {
      out[at++] = 0x75; out[at++] = 0x30; out[at++] = 0x30;
      out[at++] = HEX.charCodeAt(c >> 4); out[at++] = HEX.charCodeAt(c & 15);
    }
  }
  return at;
}

/** Encodes one record as a Docker JSON log line into out at `at`; out must have room (see maxLineBytes). */
export function encodeJsonLine(out: Buffer, at: number, r: CaptureRecord, attrs: string | null = null): number {
  const [o, e] = attrs === null ? [STDOUT, STDERR] : streamFields(attrs);
  return encodeEntry(out, at, r.buf, r.payloadStart, r.payloadEnd, r.stream, r.partial, r, o, e);
}

/** What follows the log text: `","stream":"stdout"[,"attrs":{…}],"time":"` (moby's field order). */
function streamFields(attrs: string | null): [Buffer, Buffer] {
  if (attrs === null) return [STDOUT, STDERR];
  return [Buffer.from(`","stream":"stdout","attrs":${attrs},"time":"`), Buffer.from(`","stream":"stderr","attrs":${attrs},"time":"`)];
}

function encodeEntry(out: Buffer, at: number, src: Buffer, start: number, end: number, stream: 1 | 2, partial: boolean, time: string | CaptureRecord, stdout: Buffer, stderr: Buffer): number {
  at = copySmall(HEAD, out, at);
  at = escapeInto(out, at, src, start, end);
  if (!partial) { out[at++] = 0x5c; out[at++] = 0x6e; }
  at = copySmall(stream === 1 ? stdout : stderr, out, at);
  if (typeof time === 'string') at += out.write(time, at, 'latin1');
  else at = writeTime(out, at, time);
  out[at++] = 0x22; out[at++] = 0x7d; out[at++] = 0x0a;
  return at;
}

// Byte loops: for a few dozen bytes cheaper than Buffer#copy's native call.
function copySmall(from: Buffer, out: Buffer, at: number): number {
  for (let i = 0; i < from.length; i++) out[at++] = from[i]!;
  return at;
}

/** The record's time in Docker's form: conmon's bytes with "+00:00" → "Z" (no strings), else converted. */
function writeTime(out: Buffer, at: number, r: CaptureRecord): number {
  const b = r.buf;
  const end = r.tsEnd - 6;
  if (end > r.tsStart && b[end] === 0x2b && b[end + 1] === 0x30 && b[end + 2] === 0x30 && b[end + 3] === 0x3a && b[end + 4] === 0x30 && b[end + 5] === 0x30) {
    for (let i = r.tsStart; i < end; i++) out[at++] = b[i]!;
    out[at++] = 0x5a;
    return at;
  }
  return at + out.write(dockerTime(r), at, 'latin1');
}

export function maxLineBytes(r: CaptureRecord, attrs: string | null = null): number {
  return 96 + (attrs === null ? 0 : Buffer.byteLength(attrs) + 10) + (r.tsEnd - r.tsStart) + 6 * (r.payloadEnd - r.payloadStart);
}

/**
 * conmon splits a line that crosses one of its 8 KiB reads into a P and an F record; dockerd
 * splits lines only at 16 KiB. Joining P records with what follows on the same stream, up to
 * 16 KiB, writes the lines dockerd would write.
 */
export const PARTIAL_JOIN_MAX = 16 * 1024;

const BATCH_MIN = 64 << 10;
const BATCH_KEEP = 2 << 20;

/** The rotated files of `path`, oldest first, then path itself (what exists of them). */
export function rotatedNames(path: string, maxFile: number, compress: boolean): string[] {
  const out: string[] = [];
  for (let i = maxFile - 1; i >= 1; i--) out.push(compress ? `${path}.${i}.gz` : `${path}.${i}`);
  out.push(path);
  return out;
}

/** A P record of the capture waiting for the rest of its line (RotatingJsonFile.record). */
interface Held { bytes: Buffer; len: number; stream: 1 | 2; suffix: Buffer | null; time: string }

export class RotatingJsonFile implements Driver {
  readonly path: string;
  readonly #o: FileOptions;
  #fd: number;
  #size: number;
  // The batch lives in one ArrayBuffer with two scratch areas before it (records()):
  //   [0, #sfxRoom)                      the current line suffix (#sfxLen bytes of it),
  //   [#sfxRoom, +#chunkRoom)            a copy of the read chunk being encoded,
  //   [#sfxRoom + #chunkRoom, +batch)    the batch.
  // So the fast path copies payloads and suffixes with copyWithin, which needs no view per
  // copy (half the cost of set(subarray()) for a 76-byte line, and no garbage).
  #whole: Buffer = Buffer.alloc(0);
  // Views of #whole's memory (allocUnsafeSlow: its own ArrayBuffer, byteOffset 0).
  #view = new DataView(new ArrayBuffer(0));
  #words = new Int32Array(0);
  #sfxRoom = 0;
  #chunkRoom = 0;
  /** The suffix whose bytes are in the suffix area (null: none). */
  #sfxIn: Buffer | null = null;
  /** What the chunk area holds: buf[from, to) of the buffer being encoded (until the next flush). */
  #chunkOf: Buffer | null = null;
  #chunkFrom = 0;
  #chunkTo = 0;
  #batch: Buffer = Buffer.alloc(0);
  #len = 0;
  /** Batch offsets where the current file is full: rotate there. */
  #cuts: number[] = [];
  /** Size of the current file once the batch is written up to the last cut / the end. */
  #projected: number;
  #compressing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  /** The stream and attrs fields, per stream. */
  readonly #stdout: Buffer;
  readonly #stderr: Buffer;

  /** attrs: json-file's "attrs" object (JSON text), or null. */
  constructor(path: string, o: FileOptions, onError: (err: unknown) => void, attrs: string | null = null, opened?: { fd: number; size: number }) {
    this.path = path;
    [this.#stdout, this.#stderr] = streamFields(attrs);
    this.#o = o;
    this.#onError = onError;
    this.#fd = opened?.fd ?? openSync(path, 'a', 0o640);
    this.#size = opened?.size ?? fstatSync(this.#fd).size;
    this.#projected = this.#size;
    this.#realloc(0, 0, BATCH_MIN);
  }

  /**
   * New memory for the batch (its first #len bytes kept) and the scratch areas; their
   * contents are kept only when their sizes do not change.
   */
  #realloc(sfxRoom: number, chunkRoom: number, batchSize: number): void {
    const whole = Buffer.allocUnsafeSlow(sfxRoom + chunkRoom + batchSize);
    const keep = sfxRoom === this.#sfxRoom && chunkRoom === this.#chunkRoom;
    if (keep && sfxRoom + chunkRoom > 0) this.#whole.copy(whole, 0, 0, sfxRoom + chunkRoom);
    if (!keep) { this.#sfxIn = null; this.#chunkOf = null; }
    if (this.#len > 0) this.#batch.copy(whole, sfxRoom + chunkRoom, 0, this.#len);
    this.#whole = whole;
    this.#view = new DataView(whole.buffer, 0, whole.buffer.byteLength);
    this.#words = new Int32Array(whole.buffer, 0, whole.buffer.byteLength >> 2);
    this.#sfxRoom = sfxRoom;
    this.#chunkRoom = chunkRoom;
    this.#batch = whole.subarray(sfxRoom + chunkRoom);
  }

  /**
   * The same, with the file opened on the thread pool: on a container's start path the create
   * of a new log file can take a millisecond of disk metadata work, not to be done on the
   * event loop.
   */
  static async open(path: string, o: FileOptions, onError: (err: unknown) => void, attrs: string | null = null): Promise<RotatingJsonFile> {
    const fd = await new Promise<number>((resolve, reject) => open(path, 'a', 0o640, (err, f) => (err ? reject(err) : resolve(f))));
    try {
      const size = await new Promise<number>((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
      return new RotatingJsonFile(path, o, onError, attrs, { fd, size });
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * A P record waiting for the rest of its line: its payload bytes (bytes[0, len), a buffer
   * reused from one P record to the next), stream, and the line end for the time of the first
   * part (the suffix shared with the records of its conmon read), or that time as a string.
   */
  #held: Held | null = null;
  #heldBytes: Buffer = Buffer.alloc(0);

  record(r: CaptureRecord): void {
    const held = this.#held;
    const n = r.payloadEnd - r.payloadStart;
    if (held !== null) {
      this.#held = null;
      if (held.stream === r.stream) {
        if (r.partial && held.len + n < PARTIAL_JOIN_MAX) { this.#hold(held, r.buf, r.payloadStart, r.payloadEnd); return; }
        this.#joined(held, r.buf, r.payloadStart, r.payloadEnd, r.partial);
        return;
      }
      this.#joined(held, r.buf, 0, 0, true);
    }
    if (r.partial && n < PARTIAL_JOIN_MAX) {
      const suffix = this.#suffix(r, r.stream);
      const held = { bytes: this.#heldBytes, len: 0, stream: r.stream, suffix, time: suffix === null ? dockerTime(r) : '' };
      this.#hold(held, r.buf, r.payloadStart, r.payloadEnd);
      return;
    }
    this.#entry(r.buf, r.payloadStart, r.payloadEnd, r.stream, r.partial, r);
  }

  /** Appends src[from, to) to the held bytes (growing their buffer) and holds them. */
  #hold(held: Held, src: Buffer, from: number, to: number): void {
    const need = held.len + to - from;
    if (need > held.bytes.length) {
      const bytes = Buffer.allocUnsafe(Math.max(4096, 2 ** Math.ceil(Math.log2(need))));
      held.bytes.copy(bytes, 0, 0, held.len);
      held.bytes = bytes;
      this.#heldBytes = bytes;
    }
    src.copy(held.bytes, held.len, from, to);
    held.len = need;
    this.#held = held;
  }

  /** Writes the held bytes followed by src[from, to) as one line (partial: no \n), with the held line end. */
  #joined(held: Held, src: Buffer, from: number, to: number, partial: boolean): void {
    const suffix = held.suffix;
    if (suffix === null) {
      // Not conmon's time in UTC: the generic path, with the time as a string.
      const bytes = Buffer.concat([held.bytes.subarray(0, held.len), src.subarray(from, to)]);
      this.#entry(bytes, 0, bytes.length, held.stream, partial, held.time);
      return;
    }
    const need = 96 + suffix.length + 6 * (held.len + to - from);
    if (this.#len + need > this.#batch.length) this.#grow(need);
    const start = this.#len;
    const out = this.#batch;
    let at = copySmall(HEAD, out, start);
    at = escapeInto(out, at, held.bytes, 0, held.len);
    if (to > from) at = escapeInto(out, at, src, from, to);
    if (!partial) { out[at++] = 0x5c; out[at++] = 0x6e; }
    out.set(suffix, at);
    this.#len = at + suffix.length;
    this.#account(start);
  }

  // The fast path (Driver.records): one loop over a run of plain records, i.e. conmon's
  // `<35-byte time> stdout|stderr F <payload>` lines, which is nearly every record of a busy
  // container. It works on the copy of the chunk in the chunk area: per record a few byte
  // checks at conmon's fixed offsets, the time stamp compared as words with the last one, one
  // word-wise scan of the payload for bytes to escape (which stops at the LF: no memchr), then
  // the head, the payload and the cached suffix copied into the batch. No record object, no
  // per-record calls into record()/#entry()/#suffix(); anything else (P records, a held
  // partial line, other time formats) stops the loop and goes through record().
  records(buf: Buffer, at: number, end: number): number {
    if (this.#held !== null) return at;
    const at0 = at;
    const u8 = bytesOf(buf);
    // The chunk, copied once into the chunk area: record payloads are copied from there. The
    // shipper calls again after each record it leaves to record() (a P record every ~100
    // lines): the copy made for the first call serves them all, until flush().
    if (this.#chunkOf !== buf || at < this.#chunkFrom || end > this.#chunkTo) {
      // With room for the chunk's lines in the batch too (~1.3x for short lines): growing the
      // batch line by line from 64 KiB reallocated and copied it five times per busy start.
      if (this.#chunkRoom < end - at) {
        const batch = Math.max(this.#batch.length, Math.min(BATCH_KEEP, 2 ** Math.ceil(Math.log2(1.5 * (end - at)))));
        this.#realloc(this.#sfxRoom, Math.max(64 << 10, 2 ** Math.ceil(Math.log2(end - at))), batch);
      }
      this.#whole.set(u8.subarray(at, end), this.#sfxRoom);
      this.#chunkOf = buf;
      this.#chunkFrom = at;
      this.#chunkTo = end;
    }
    let whole = this.#whole;
    let wv = this.#view;
    let words = this.#words;
    let delta = this.#sfxRoom - this.#chunkFrom;
    let b0 = this.#sfxRoom + this.#chunkRoom;
    // The cached suffix (maybe from record()) must be in the suffix area; if it does not fit, drop the cache.
    if (this.#sfx !== null && this.#sfxIn !== this.#sfx && !this.#putSuffix(this.#sfx)) this.#sfx = null;
    const w = this.#tsWords;
    const maxSize = this.#o.maxSize;
    let sfx = this.#sfx;
    let sfxLen = sfx === null ? 0 : sfx.length;
    let sfxStream = this.#sfxStream;
    let tail = this.#tsTail;
    let out = this.#batch;
    let outCap = out.length;
    let len = this.#len;
    let projected = this.#projected;
    for (;;) {
      // In the chunk area: the record, its fields, the end of the chunk.
      const a = at + delta;
      const endW = end + delta;
      const s1 = a + TS_LEN;
      const ps = s1 + 10;
      // `<time> stdout F ` / `<time> stderr F `: the fields at conmon's fixed offsets.
      if (ps >= endW || whole[s1] !== 0x20 || whole[s1 + 7] !== 0x20 || whole[s1 + 8] !== 0x46 || whole[s1 + 9] !== 0x20) break;
      const c = whole[s1 + 4];
      const stream = c === 0x6f ? 1 : c === 0x65 ? 2 : 0;
      if (stream === 0) break;
      // The suffix of the previous record, if this one has the same stream and time stamp.
      const t = whole[a + 32]! | (whole[a + 33]! << 8) | (whole[a + 34]! << 16);
      let same = sfx !== null && stream === sfxStream && t === tail;
      if (same) {
        for (let i = 7; i >= 0; i--) if (wv.getInt32(a + 4 * i, true) !== w[i]) { same = false; break; }
      }
      if (!same) {
        // Not "+00:00" (a host not in UTC), or an LF inside the fields: record() sees to it.
        if (whole[s1 - 6] !== 0x2b || whole[s1 - 5] !== 0x30 || whole[s1 - 4] !== 0x30 || whole[s1 - 3] !== 0x3a || whole[s1 - 2] !== 0x30 || whole[s1 - 1] !== 0x30) break;
        const lf0 = whole.indexOf(0x0a, a);
        if (lf0 < ps || lf0 >= endW) break;
        for (let i = 0; i < 8; i++) w[i] = wv.getInt32(a + 4 * i, true);
        tail = t;
        sfxStream = stream;
        // The stream fields, the time with "+00:00" as "Z", `"}` LF: byte loops, no strings.
        const fields = stream === 1 ? this.#stdout : this.#stderr;
        const fl = fields.length;
        const tl = TS_LEN - 6;
        sfx = Buffer.allocUnsafe(fl + tl + 4);
        for (let i = 0; i < fl; i++) sfx[i] = fields[i]!;
        for (let i = 0; i < tl; i++) sfx[fl + i] = whole[a + i]!;
        sfx[fl + tl] = 0x5a; sfx[fl + tl + 1] = 0x22; sfx[fl + tl + 2] = 0x7d; sfx[fl + tl + 3] = 0x0a;
        sfxLen = sfx.length;
        this.#sfx = sfx;
        this.#sfxStream = stream;
        this.#tsTail = tail;
        if (!this.#putSuffix(sfx)) {
          // A larger suffix area: new memory, the chunk copied in again.
          this.#realloc(Math.max(256, 2 * sfx.length), this.#chunkRoom, this.#batch.length);
          this.#putSuffix(sfx);
          whole = this.#whole;
          wv = this.#view;
          words = this.#words;
          whole.set(u8.subarray(at0, end), this.#sfxRoom);
          this.#chunkOf = buf;
          this.#chunkFrom = at0;
          this.#chunkTo = end;
          delta = this.#sfxRoom - at0;
          b0 = this.#sfxRoom + this.#chunkRoom;
          out = this.#batch;
          outCap = out.length;
          continue;
        }
      }
      // The first byte to escape; conmon's payloads hold no LF, so for most this is the LF.
      const e = firstSpecial(whole, words, ps, endW);
      if (e === endW) break; // no LF yet: an incomplete record
      let lf = e;
      if (whole[e] !== 0x0a) {
        lf = whole.indexOf(0x0a, e);
        if (lf < 0 || lf >= endW) break;
      }
      const n = lf - ps;
      const need = 10 + sfxLen + 6 * n;
      if (len + need > outCap) {
        this.#len = len;
        this.#grow(need);
        out = this.#batch;
        outCap = out.length;
        whole = this.#whole;
        wv = this.#view;
        words = this.#words;
      }
      const start = len;
      wv.setInt32(b0 + len, HEAD0, true);
      wv.setInt32(b0 + len + 4, HEAD1, true);
      len += 8;
      if (e === lf) {
        whole.copyWithin(b0 + len, ps, lf);
        len += n;
      } else {
        len = escapeInto(out, len, buf, ps - delta, lf - delta);
      }
      out[len] = 0x5c; out[len + 1] = 0x6e;
      len += 2;
      whole.copyWithin(b0 + len, 0, sfxLen);
      len += sfxLen;
      const size = len - start;
      if (maxSize > 0 && projected > 0 && projected + size > maxSize) {
        this.#cuts.push(start);
        projected = 0;
      }
      projected += size;
      at = lf + 1 - delta;
    }
    this.#len = len;
    this.#projected = projected;
    return at;
  }

  /** Puts the suffix into the suffix area; false when it does not fit. */
  #putSuffix(sfx: Buffer): boolean {
    if (sfx.length > this.#sfxRoom) return false;
    sfx.copy(this.#whole, 0);
    this.#sfxIn = sfx;
    return true;
  }

  #entry(src: Buffer, from: number, to: number, stream: 1 | 2, partial: boolean, time: string | CaptureRecord): void {
    const need = 96 + this.#stdout.length + (typeof time === 'string' ? time.length : time.tsEnd - time.tsStart) + 6 * (to - from);
    if (this.#len + need > this.#batch.length) this.#grow(need);
    const start = this.#len;
    const suffix = typeof time === 'string' ? null : this.#suffix(time, stream);
    if (suffix !== null) {
      // The common case: {"log":" + escaped text [+ \n] + the suffix this record shares with its neighbours.
      const out = this.#batch;
      let at = start;
      out[at] = 0x7b; out[at + 1] = 0x22; out[at + 2] = 0x6c; out[at + 3] = 0x6f; out[at + 4] = 0x67; out[at + 5] = 0x22; out[at + 6] = 0x3a; out[at + 7] = 0x22;
      at = escapeInto(out, at + 8, src, from, to);
      if (!partial) { out[at++] = 0x5c; out[at++] = 0x6e; }
      out.set(suffix, at);
      this.#len = at + suffix.length;
    } else {
      this.#len = encodeEntry(this.#batch, start, src, from, to, stream, partial, time, this.#stdout, this.#stderr);
    }
    this.#account(start);
  }

  /** The line just written from `start`: cut the batch there if it would take the file past max-size. */
  #account(start: number): void {
    const n = this.#len - start;
    if (this.#o.maxSize > 0 && this.#projected > 0 && this.#projected + n > this.#o.maxSize) {
      this.#cuts.push(start);
      this.#projected = 0;
    }
    this.#projected += n;
  }

  // The end of a line after its text, `","stream":"stdout"[,"attrs":…],"time":"…Z"}\n`, is the
  // same for every record of one conmon read (one time stamp): built once, then copied in one
  // call. Byte loops writing those ~70 bytes were the encoder's largest cost. The cache is
  // keyed by the stream and the record's raw time stamp (compared as words).
  #sfx: Buffer | null = null;
  #sfxStream = 0;
  readonly #tsWords = new Int32Array(8);
  #tsTail = 0;

  #suffix(r: CaptureRecord, stream: 1 | 2): Buffer | null {
    if (r.tsEnd - r.tsStart !== TS_LEN) return null;
    const b = r.buf;
    const v = viewOf(b);
    const p = b.byteOffset + r.tsStart;
    const w = this.#tsWords;
    const tail = b[r.tsStart + 32]! | (b[r.tsStart + 33]! << 8) | (b[r.tsStart + 34]! << 16);
    if (this.#sfx !== null && stream === this.#sfxStream && tail === this.#tsTail) {
      let i = 7;
      while (i >= 0 && v.getInt32(p + 4 * i, true) === w[i]) i--;
      if (i < 0) return this.#sfx;
    }
    for (let i = 0; i < 8; i++) w[i] = v.getInt32(p + 4 * i, true);
    this.#tsTail = tail;
    this.#sfxStream = stream;
    this.#sfx = Buffer.concat([stream === 1 ? this.#stdout : this.#stderr, Buffer.from(dockerTime(r), 'latin1'), LINE_END]);
    return this.#sfx;
  }

  async flush(): Promise<void> {
    let at = 0;
    for (const cut of this.#cuts) {
      this.#write(at, cut);
      at = cut;
      await this.#rotate();
    }
    this.#write(at, this.#len);
    this.#cuts = [];
    this.#len = 0;
    this.#projected = this.#size;
    this.#chunkOf = null;
    // A burst of lines to escape grew the batch past what a 1 MiB read needs: give it back.
    if (this.#batch.length > BATCH_KEEP) this.#realloc(this.#sfxRoom, this.#chunkRoom, BATCH_MIN);
  }

  /** The container went quiet (Driver.trim): back to a small batch and no chunk area. */
  trim(): void {
    if (this.#len === 0 && (this.#chunkRoom > 0 || this.#batch.length > BATCH_MIN)) this.#realloc(this.#sfxRoom, 0, BATCH_MIN);
  }

  async close(): Promise<void> {
    const held = this.#held;
    this.#held = null;
    if (held !== null) this.#joined(held, held.bytes, 0, 0, true);
    await this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
    await this.#compressing;
  }

  #grow(need: number): void {
    this.#realloc(this.#sfxRoom, this.#chunkRoom, Math.max(this.#batch.length * 2, this.#len + need));
  }

  #write(from: number, to: number): void {
    let at = from;
    while (at < to) at += writeSync(this.#fd, this.#batch, at, to - at);
    this.#size += to - from;
  }

  async #rotate(): Promise<void> {
    const { maxFile, compress } = this.#o;
    if (maxFile <= 1) {
      ftruncateSync(this.#fd, 0);
      this.#size = 0;
      return;
    }
    await this.#compressing;
    const name = (i: number): string => compress ? `${this.path}.${i}.gz` : `${this.path}.${i}`;
    dropQuiet(name(maxFile - 1));
    for (let i = maxFile - 2; i >= 1; i--) if (existsSync(name(i))) renameSync(name(i), name(i + 1));
    closeSync(this.#fd);
    const first = `${this.path}.1`;
    renameSync(this.path, first);
    this.#fd = openSync(this.path, 'a', 0o640);
    this.#size = 0;
    if (compress) this.#compressing = gzipFile(first, `${first}.gz`).catch((err: unknown) => this.#onError(err));
  }
}

async function gzipFile(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp`;
  await pipeline(createReadStream(from), createGzip({ level: 1 }), createWriteStream(tmp, { mode: 0o640 }));
  renameSync(tmp, to);
  unlinkSync(from);
}

/**
 * Removes a file whose blocks are freed on a pool thread: the name goes at once (so the
 * rotation can reuse it), the inode with the last descriptor, closed in the background.
 * Freeing a 10 MB file's page cache and extents took ~4 ms on the event loop per rotation.
 */
function dropQuiet(p: string): void {
  let fd: number;
  try { fd = openSync(p, 'r'); } catch { return; } // absent
  rmQuiet(p);
  close(fd, () => undefined);
}

function rmQuiet(p: string): void {
  try { unlinkSync(p); } catch { /* absent */ }
}
