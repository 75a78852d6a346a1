// The json-file and local drivers: Docker's on-disk JSON lines
//   {"log":"line\n","stream":"stdout","time":"2026-11-27T17:14:43.345467782Z"}
// in <file>, rotated to <file>.1 … <file>.<max-file − 1> (gzipped to .N.gz with compress)
// before a record would take the current file past max-size, so the files never hold more
// than max-size × max-file (moby daemon/logger/loggerutils/logfile.go).
//
// Writes are synchronous page-cache writes of one batch (what one read of the capture
// produced, ≤ ~6 MiB even if every byte needs escaping); rotation renames are synchronous
// too; only compression runs in the background, and the next rotation waits for it.
import { closeSync, fstatSync, openSync, renameSync, unlinkSync, writeSync, ftruncateSync, createReadStream, createWriteStream, existsSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FileOptions } from './options.ts';
import { dockerTime, type CaptureRecord } from './record.ts';
import type { Driver } from './driver.ts';

const HEAD = Buffer.from('{"log":"');
const STDOUT = Buffer.from('","stream":"stdout","time":"');
const STDERR = Buffer.from('","stream":"stderr","time":"');
const HEX = '0123456789abcdef';

/** Appends the JSON-escaped bytes of src[start, end) to out at `at`; returns the new end. UTF-8 passes through. */
export function escapeInto(out: Buffer, at: number, src: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
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
export function encodeJsonLine(out: Buffer, at: number, r: CaptureRecord): number {
  at += HEAD.copy(out, at);
  at = escapeInto(out, at, r.buf, r.payloadStart, r.payloadEnd);
  if (!r.partial) { out[at++] = 0x5c; out[at++] = 0x6e; }
  at += (r.stream === 1 ? STDOUT : STDERR).copy(out, at);
  at += out.write(dockerTime(r), at, 'latin1');
  out[at++] = 0x22; out[at++] = 0x7d; out[at++] = 0x0a;
  return at;
}

export function maxLineBytes(r: CaptureRecord): number {
  return 96 + (r.tsEnd - r.tsStart) + 6 * (r.payloadEnd - r.payloadStart);
}

/** The rotated files of `path`, oldest first, then path itself (what exists of them). */
export function rotatedNames(path: string, maxFile: number, compress: boolean): string[] {
  const out: string[] = [];
  for (let i = maxFile - 1; i >= 1; i--) out.push(compress ? `${path}.${i}.gz` : `${path}.${i}`);
  out.push(path);
  return out;
}

export class RotatingJsonFile implements Driver {
  readonly path: string;
  readonly #o: FileOptions;
  #fd: number;
  #size: number;
  #batch = Buffer.allocUnsafe(1 << 20);
  #len = 0;
  /** Batch offsets where the current file is full: rotate there. */
  #cuts: number[] = [];
  /** Size of the current file once the batch is written up to the last cut / the end. */
  #projected: number;
  #compressing: Promise<void> = Promise.resolve();
  #onError: (err: unknown) => void;

  constructor(path: string, o: FileOptions, onError: (err: unknown) => void) {
    this.path = path;
    this.#o = o;
    this.#onError = onError;
    this.#fd = openSync(path, 'a', 0o640);
    this.#size = fstatSync(this.#fd).size;
    this.#projected = this.#size;
  }

  record(r: CaptureRecord): void {
    const need = maxLineBytes(r);
    if (this.#len + need > this.#batch.length) this.#grow(need);
    const start = this.#len;
    this.#len = encodeJsonLine(this.#batch, start, r);
    const n = this.#len - start;
    if (this.#o.maxSize > 0 && this.#projected > 0 && this.#projected + n > this.#o.maxSize) {
      this.#cuts.push(start);
      this.#projected = 0;
    }
    this.#projected += n;
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
  }

  async close(): Promise<void> {
    await this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
    await this.#compressing;
  }

  #grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.#batch.length * 2, this.#len + need));
    this.#batch.copy(next, 0, 0, this.#len);
    this.#batch = next;
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
    rmQuiet(name(maxFile - 1));
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

function rmQuiet(p: string): void {
  try { unlinkSync(p); } catch { /* absent */ }
}
