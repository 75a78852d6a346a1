// readJsonLogs: the body of GET /containers/{id}/logs for the json-file and local drivers,
// read from Docker's JSON-lines files: <path>.N(.gz) … <path>.1(.gz), then <path>.
//
//  1. validate the options (InvalidArgumentError before touching a file);
//  2. with --tail N, count lines from the newest file backwards to find where to start
//     (counting LF bytes; gzipped files are streamed, never held whole);
//  3. stream each file from there in order through the JsonLogEncoder (json-log-encoder.ts:
//     large preads, lines decoded in place), yielding its batches as each read produces them;
//  4. with --follow, keep reading <path>; when the shipper rotates it (rename), finish the old
//     file and continue with the new one, until the container has stopped and all is read.
// Lines that are not JSON log entries are skipped (counted), never fatal.
import { createReadStream } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { ChangeWaiter } from './change-waiter.ts';
import { JsonLogEncoder } from './json-log-encoder.ts';
import { validateLogReadOptions, type LogReadOptions, type LogReadPlan } from './log-read-options.ts';

export function readJsonLogs(path: string, options: LogReadOptions, signal?: AbortSignal): AsyncIterable<Buffer> {
  const plan = validateLogReadOptions(options);
  return streamJsonLogs(path, plan, signal);
}

/** The rotated files of `path`, oldest first (highest N first); .N preferred to .N.gz mid-compression. */
export async function rotatedFiles(path: string): Promise<string[]> {
  const base = basename(path);
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  const byN = new Map<number, string>();
  for (const n of names) {
    const m = /^\.(\d+)(\.gz)?$/.exec(n.slice(base.length));
    if (!n.startsWith(base) || !m) continue;
    const k = Number(m[1]);
    if (!byN.has(k) || m[2] === undefined) byN.set(k, join(dirname(path), n));
  }
  return [...byN.entries()].sort((a, b) => b[0] - a[0]).map(([, p]) => p);
}

function openStream(file: string, start = 0): Readable {
  const raw = createReadStream(file, { start, highWaterMark: 1 << 20 });
  if (!file.endsWith('.gz')) return raw;
  const gz = createGunzip();
  raw.on('error', (err) => gz.destroy(err));
  return raw.pipe(gz);
}

/** Lines (LF count) in a file, streamed. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of openStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

async function* streamJsonLogs(path: string, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (signal?.aborted === true) return;
  const enc = new JsonLogEncoder(plan.encoder);
  const stopped = plan.isRunning !== undefined && !plan.isRunning();
  // The current file is opened first, so a rotation while we read the older ones cannot
  // make us miss it: what it held then is read from this handle.
  const current = await open(path, 'r').catch(() => null);
  try {
    const files = await rotatedFiles(path);
    const currentSize = current === null ? 0 : (await current.stat()).size;
    // --tail: which file to start in and how many of its lines to skip.
    let first = 0;
    let skip = 0;
    if (plan.tail !== 'all') {
      let need = plan.tail;
      const counts: number[] = [];
      const all = [...files, null];
      for (let i = all.length - 1; i >= 0; i--) {
        const n = all[i] === null ? await countHandle(current, currentSize) : await countLines(all[i]!).catch(() => 0);
        counts[i] = n;
        first = i;
        if (n >= need) { skip = n - need; need = 0; break; }
        need -= n;
      }
      if (need > 0) { first = 0; skip = 0; }
      if (plan.tail === 0) { first = all.length; skip = 0; }
    }
    for (let i = first; i < files.length; i++) {
      enc.dropPartial();
      enc.skipLines(i === first ? skip : 0);
      try {
        yield* readFile(files[i]!, enc, signal);
      } catch { /* rotated away while reading: skip the rest of that file */ }
      yield* enc.take();
      if (enc.done || isAborted(signal)) return;
    }
    let pos = 0;
    if (current !== null && (plan.tail === 'all' || first <= files.length)) {
      enc.dropPartial();
      enc.skipLines(first === files.length ? skip : 0);
      if (plan.tail === 0) pos = currentSize;
      else {
        // An unfinished last line stays in the encoder: a follower completes it.
        pos = yield* readRange(current, 0, currentSize, enc, signal);
        if (enc.done || isAborted(signal)) return;
      }
    }
    if (plan.follow && !stopped && !enc.done) yield* follow(path, current, pos, enc, plan, signal);
  } finally {
    await current?.close().catch(() => undefined);
  }
}

async function countHandle(fh: FileHandle | null, size: number): Promise<number> {
  if (fh === null) return 0;
  let n = 0;
  for await (const chunk of handleStream(fh, 0, size)) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

/** Chunks of an open file between start and end, by positional reads (the handle stays open). */
async function* handleStream(fh: FileHandle, start: number, end: number): AsyncGenerator<Buffer> {
  let pos = start;
  const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(end - start, 1)));
  while (pos < end) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** Feeds fh[start, end) to the encoder by positional reads into its input area, yielding as it goes; returns where it stopped. */
async function* readRange(fh: FileHandle, start: number, end: number, enc: JsonLogEncoder, signal: AbortSignal | undefined): AsyncGenerator<Buffer, number> {
  let pos = start;
  while (pos < end) {
    const t = enc.readTarget();
    const { bytesRead } = await fh.read(t.buf, t.offset, Math.min(t.length, end - pos), pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    enc.commit(bytesRead);
    yield* enc.take();
    if (enc.done || isAborted(signal)) break;
  }
  return pos;
}

/** A whole rotated file (plain or gzipped) through the encoder. */
async function* readFile(file: string, enc: JsonLogEncoder, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (file.endsWith('.gz')) {
    const stream = openStream(file);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        enc.push(chunk);
        yield* enc.take();
        if (enc.done || isAborted(signal)) return;
      }
    } finally {
      stream.destroy();
    }
    return;
  }
  const fh = await open(file, 'r');
  try {
    yield* readRange(fh, 0, Number.POSITIVE_INFINITY, enc, signal);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function* follow(path: string, fh0: FileHandle | null, pos0: number, enc: JsonLogEncoder, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const waiter = new ChangeWaiter(plan.pollIntervalMs, signal);
  let fh = fh0;
  let owned = false;
  let pos = pos0;
  /** Reads what was added to fh since pos; returns the byte count. */
  async function* readMore(): AsyncGenerator<Buffer, number> {
    if (fh === null) return 0;
    const from = pos;
    pos = yield* readRange(fh, pos, Number.POSITIVE_INFINITY, enc, signal);
    return pos - from;
  }
  try {
    waiter.watch(path);
    for (;;) {
      if (isAborted(signal)) return;
      const running = plan.isRunning?.() ?? true;
      if (fh === null) {
        fh = await open(path, 'r').catch(() => null);
        owned = fh !== null;
        pos = 0;
        enc.dropPartial();
        if (fh !== null) waiter.watch(path);
      }
      const got = yield* readMore();
      if (enc.done || isAborted(signal)) return;
      if (got === 0 && fh !== null) {
        const [a, b] = await Promise.all([fh.stat(), stat(path).catch(() => null)]);
        if (b === null || b.ino !== a.ino) {
          // Rotated: the old file is final once renamed; read what reached it, then switch.
          yield* readMore();
          if (enc.done || isAborted(signal)) return;
          if (owned) await fh.close().catch(() => undefined);
          fh = null;
          // The shipper writes in batches and may have rotated more than once meanwhile:
          // the files between ours and the current one come first.
          for (const f of await newerRotated(path, a.ino)) {
            enc.dropPartial();
            try {
              yield* readFile(f, enc, signal);
            } catch { /* rotated away while reading */ }
            yield* enc.take();
            if (enc.done || isAborted(signal)) return;
          }
          continue;
        }
      }
      // Stopped: done only once a read finds nothing and no rotation is pending (a follower a
      // file behind when the container exits still has the newer files to read).
      if (!running && got === 0) return;
      if (plan.untilSeconds !== undefined && Date.now() / 1000 > plan.untilSeconds) return;
      if (got === 0) {
        enc.idle();
        await waiter.wait();
      }
    }
  } finally {
    waiter.close();
    if (owned) await fh?.close().catch(() => undefined);
  }
}

/** The rotated files newer than the one with inode `ino` (a plain .N file), oldest first; none when it is not found. */
async function newerRotated(path: string, ino: number): Promise<string[]> {
  const files = await rotatedFiles(path);
  for (let i = files.length - 1; i >= 0; i--) {
    if (files[i]!.endsWith('.gz')) continue;
    const st = await stat(files[i]!).catch(() => null);
    if (st !== null && st.ino === ino) return files.slice(i + 1);
  }
  return [];
}

// A function, so TypeScript does not narrow `aborted` across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
