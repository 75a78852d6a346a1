// readJsonLogs: the body of GET /containers/{id}/logs for the json-file and local drivers,
// read from Docker's JSON-lines files: <path>.N(.gz) … <path>.1(.gz), then <path>.
//
//  1. validate the options (InvalidArgumentError before touching a file);
//  2. with --tail N, count lines from the newest file backwards to find where to start
//     (counting LF bytes; gzipped files are streamed, never held whole);
//  3. stream each file from there in order, one JSON line at a time, yielding 64 KiB batches;
//  4. with --follow, keep reading <path>; when the shipper rotates it (rename), finish the old
//     file and continue with the new one, until the container has stopped and all is read.
// Lines that are not JSON log entries are skipped (counted), never fatal.
import { createReadStream } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { ChangeWaiter } from './change-waiter.ts';
import { detailsPrefix } from './details.ts';
import { validateLogReadOptions, type LogReadOptions, type LogReadPlan } from './log-read-options.ts';

interface Entry { log?: unknown; stream?: unknown; time?: unknown; attrs?: unknown }

const BATCH = 64 * 1024;

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

class Output {
  #parts: Buffer[] = [];
  #len = 0;
  malformed = 0;
  done = false;
  constructor(private readonly plan: LogReadPlan) {}

  line(text: string): void {
    if (text === '' || this.done) return;
    let e: Entry;
    try { e = JSON.parse(text) as Entry; } catch { this.malformed++; return; }
    if (typeof e.log !== 'string' || typeof e.time !== 'string') { this.malformed++; return; }
    const stream = e.stream === 'stderr' ? 2 : 1;
    const o = this.plan.encoder;
    if ((o.streams & stream) === 0) return;
    if (o.since !== undefined || o.until !== undefined || o.timestamps) {
      const t = parseTime(e.time);
      if (t === undefined) { this.malformed++; return; }
      if (o.since !== undefined && (t.sec < o.since.sec || (t.sec === o.since.sec && t.nsec < o.since.nsec))) return;
      if (o.until !== undefined && (t.sec > o.until.sec || (t.sec === o.until.sec && t.nsec > o.until.nsec))) { this.done = true; return; }
    }
    const ts = o.timestamps ? dockerTimestamp(e.time) + ' ' : '';
    const payload = Buffer.from(ts + (o.details === true ? detailsPrefix(e.attrs) : '') + e.log, 'utf8');
    if (payload.length === 0) return;
    if (o.multiplex) {
      const h = Buffer.allocUnsafe(8);
      h[0] = stream; h[1] = 0; h[2] = 0; h[3] = 0;
      h.writeUInt32BE(payload.length, 4);
      this.#parts.push(h);
      this.#len += 8;
    }
    this.#parts.push(payload);
    this.#len += payload.length;
  }

  full(): boolean { return this.#len >= BATCH; }

  take(): Buffer[] {
    if (this.#len === 0) return [];
    const b = Buffer.concat(this.#parts, this.#len);
    this.#parts = [];
    this.#len = 0;
    return [b];
  }
}

function parseTime(t: string): { sec: number; nsec: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return undefined;
  return { sec: Date.parse(m[1]! + m[3]!) / 1000, nsec: Number((m[2] ?? '').padEnd(9, '0')) };
}

/** Docker's fixed-width `2006-01-02T15:04:05.000000000Z`. */
function dockerTimestamp(t: string): string {
  const p = parseTime(t);
  if (!p) return t;
  return new Date(p.sec * 1000).toISOString().slice(0, 19) + '.' + String(p.nsec).padStart(9, '0') + 'Z';
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

/** Yields each complete line of `file` from byte `start`, after skipping `skip` lines. */
async function* linesOf(stream: AsyncIterable<Buffer> & { destroy?: () => void }, skip: number): AsyncGenerator<string> {
  let rest = Buffer.alloc(0);
  let skipped = 0;
  try {
    for await (const chunk of stream) {
      let buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let at = 0;
      for (let lf = buf.indexOf(0x0a); lf >= 0; lf = buf.indexOf(0x0a, at)) {
        if (skipped < skip) skipped++;
        else yield buf.toString('utf8', at, lf);
        at = lf + 1;
      }
      buf = buf.subarray(at);
      rest = Buffer.from(buf);
    }
  } finally {
    stream.destroy?.();
  }
}

async function* streamJsonLogs(path: string, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (signal?.aborted === true) return;
  const out = new Output(plan);
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
      let stream: Readable;
      try { stream = openStream(files[i]!); } catch { continue; }
      try {
        for await (const line of linesOf(stream, i === first ? skip : 0)) {
          out.line(line);
          if (out.full()) yield* out.take();
          if (out.done || isAborted(signal)) return;
        }
      } catch { /* rotated away while reading: skip the rest of that file */ }
      yield* out.take();
    }
    let pos = 0;
    if (current !== null && (plan.tail === 'all' || first <= files.length)) {
      const startSkip = first === files.length ? skip : 0;
      if (plan.tail === 0) pos = currentSize;
      else {
        for await (const line of linesOf(handleStream(current, 0, currentSize), startSkip)) {
          out.line(line);
          if (out.full()) yield* out.take();
          if (out.done || isAborted(signal)) return;
        }
        pos = currentSize;
      }
      yield* out.take();
    }
    if (plan.follow && !stopped && !out.done) yield* follow(path, current, pos, out, plan, signal);
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
  while (pos < end) {
    const buf = Buffer.allocUnsafe(Math.min(1 << 20, end - pos));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

async function* follow(path: string, fh0: FileHandle | null, pos0: number, out: Output, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const waiter = new ChangeWaiter(plan.pollIntervalMs, signal);
  let fh = fh0;
  let owned = false;
  let pos = pos0;
  let rest = '';
  const buf = Buffer.allocUnsafe(1 << 20);
  const readMore = async (): Promise<number> => {
    if (fh === null) return 0;
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return total;
      pos += bytesRead;
      total += bytesRead;
      const text = rest + buf.toString('utf8', 0, bytesRead);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) out.line(l);
      if (out.done) return total;
    }
  };
  try {
    waiter.watch(path);
    for (;;) {
      if (isAborted(signal)) return;
      const running = plan.isRunning?.() ?? true;
      if (fh === null) {
        fh = await open(path, 'r').catch(() => null);
        owned = fh !== null;
        pos = 0;
        rest = '';
        if (fh !== null) waiter.watch(path);
      }
      const got = await readMore();
      yield* out.take();
      if (out.done || isAborted(signal)) return;
      if (got === 0 && fh !== null) {
        const [a, b] = await Promise.all([fh.stat(), stat(path).catch(() => null)]);
        if (b === null || b.ino !== a.ino) {
          // Rotated: the old file is final once renamed; read what reached it, then switch.
          await readMore();
          yield* out.take();
          if (owned) await fh.close().catch(() => undefined);
          fh = null;
          // The shipper writes in batches and may have rotated more than once meanwhile:
          // the files between ours and the current one come first.
          for (const f of await newerRotated(path, a.ino)) {
            try {
              for await (const line of linesOf(openStream(f), 0)) {
                out.line(line);
                if (out.full()) yield* out.take();
                if (out.done || isAborted(signal)) return;
              }
            } catch { /* rotated away while reading */ }
            yield* out.take();
          }
          continue;
        }
      }
      // Stopped: done only once a read finds nothing and no rotation is pending (a follower a
      // file behind when the container exits still has the newer files to read).
      if (!running && got === 0) return;
      if (plan.untilSeconds !== undefined && Date.now() / 1000 > plan.untilSeconds) return;
      if (got === 0) await waiter.wait();
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
