// The worker side of a layer apply (tar-worker.ts starts it; bundled as
// dist/layer-apply-worker.js). Several jobs at once (the layers of a pull share a few
// workers: a worker's start costs ~40 ms of CPU, as much as a layer's hashing): each job's
// bytes arrive in its own slots of memory shared with the main thread, and here they are
// hashed (the blob's digest, when asked), decompressed (gzip; without its CRC-32 when the
// caller checks both digests, gunzip-raw.ts), parsed by the header guard and tar-split
// recorder (tar-split.ts: an entry that would land outside the target fails the job before
// tar sees its header), hashed again (the diffID) and written into `tar -x`, spawned from here. This isolate's heap
// is tiny, so the garbage of a 200 MB stream (decompressor output, pipe buffers) costs little
// to collect; on the main thread it cost a full collection of berthd's heap every few dozen MB.
import { parentPort } from 'node:worker_threads';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { RawGunzip } from './gunzip-raw.ts';
import { TarSplitRecorder, TarSplitWriter } from './tar-split.ts';
import type { ApplyJob, FromWorker, ToWorker } from './tar-worker.ts';

const port = parentPort!;

interface Job {
  id: number;
  /** This job's slots (IN_FLIGHT × size bytes, shared with the main thread). */
  slots: SharedArrayBuffer;
  tar: ChildProcess;
  input: Hash | null;
  diff: Hash;
  rec: { push(c: Buffer): void; finish(): Promise<void>; readonly whiteouts: number };
  split: TarSplitWriter | null;
  gunzip: { write(b: Buffer, cb: () => void): void; end(): void; destroy(): void } | null;
  stderr: string;
  /** tar's stdin is open (GNU tar may exit after the end-of-archive blocks: the rest is still hashed). */
  open: boolean;
  exit: { code: number; signal: string | null } | null;
  /** The recorder and split file are finished (or the job failed). */
  flushed: boolean;
  error: { message: string; invalid: boolean; code?: string } | null;
}

const jobs = new Map<number, Job>();

function post(m: FromWorker): void { port.postMessage(m); }

function finish(j: Job): void {
  if (!j.exit || !j.flushed || !jobs.has(j.id)) return;
  jobs.delete(j.id);
  post({
    t: 'done', id: j.id, code: j.exit.code, signal: j.exit.signal, stderr: j.stderr, error: j.error,
    diffId: `sha256:${j.diff.digest('hex')}`, inputDigest: j.input ? `sha256:${j.input.digest('hex')}` : null, whiteouts: j.rec.whiteouts,
  });
}

/** The first failure wins: tar is killed, the split file dropped, the main thread told at once. */
function fail(j: Job, err: unknown): void {
  if (j.error) return;
  const e = err as Error & { code?: unknown };
  j.error = { message: e?.message ?? String(err), invalid: (e as { kind?: unknown })?.kind === 'invalid-argument', ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
  post({ t: 'failed', id: j.id, error: j.error });
  j.open = false;
  j.tar.stdin?.destroy();
  j.tar.kill('SIGKILL');
  j.gunzip?.destroy();
  const split = j.split;
  if (split) { void split.abort().catch(() => undefined).then(() => { j.flushed = true; finish(j); }); } else { j.flushed = true; finish(j); }
}

/** Decompressed (or plain) bytes: guard and record, hash, into tar. `done` when tar has them. */
function apply(j: Job, b: Buffer, done: () => void): void {
  if (j.error) { done(); return; }
  try { j.rec.push(b); } catch (err) { fail(j, err); done(); return; }
  j.diff.update(b);
  if (j.open && !j.tar.stdin!.destroyed) j.tar.stdin!.write(b, () => done());
  else done();
}

async function end(j: Job): Promise<void> {
  try {
    await j.rec.finish();
  } catch (err) {
    fail(j, err);
    return;
  }
  if (j.error) return;
  j.tar.stdin!.end();
  j.flushed = true;
  finish(j);
}

function start(m: ApplyJob & { id: number; slots: SharedArrayBuffer }): void {
  const tar = spawn('tar', m.args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const split = m.splitPath ? new TarSplitWriter(m.splitPath) : null;
  const guard = split ? null : new TarSplitRecorder(() => undefined);
  const rec = split ?? { push: (c: Buffer) => guard!.push(c), finish: async () => guard!.finish(), get whiteouts() { return guard!.whiteouts; } };
  const j: Job = {
    id: m.id, slots: m.slots, tar, input: m.hashInput ? createHash('sha256') : null, diff: createHash('sha256'), rec, split, gunzip: null,
    stderr: '', open: true, exit: null, flushed: false, error: null,
  };
  jobs.set(j.id, j);
  tar.stderr!.on('data', (d: Buffer) => { if (j.stderr.length < 65536) j.stderr += d.toString(); });
  const closed = (): void => { j.open = false; };
  tar.stdin!.on('error', closed);
  tar.stdin!.on('close', closed);
  tar.on('error', (e) => { j.stderr += e.message; });
  tar.on('close', (code, signal) => { j.exit = { code: code ?? -1, signal }; finish(j); });
  if (m.compression === 'gzip') {
    // Backpressure: the decompressor waits while tar is behind.
    if (m.noCrc) {
      // No CRC-32 (gunzip-raw.ts): the caller checks the blob digest and the diffID.
      j.gunzip = new RawGunzip({ data: (out, done) => apply(j, out, done), end: () => { void end(j); }, error: (err) => fail(j, err) });
    } else {
      const gz = createGunzip({ chunkSize: 1 << 20 });
      j.gunzip = { write: (b, cb) => { gz.write(b, () => cb()); }, end: () => { gz.end(); }, destroy: () => { gz.destroy(); } };
      gz.on('data', (out: Buffer) => {
        gz.pause();
        apply(j, out, () => gz.resume());
      });
      gz.on('error', (err) => fail(j, err));
      gz.on('end', () => { void end(j); });
    }
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'start') { start(m); return; }
  const j = jobs.get(m.id);
  if (!j) {
    // A job already finished (a failure): slots go back at once.
    if (m.t === 'data') post({ t: 'ack', id: m.id, slot: m.slot });
    return;
  }
  if (m.t === 'data') {
    const b = Buffer.from(j.slots, m.slot * m.size, m.len);
    const ack = (): void => post({ t: 'ack', id: m.id, slot: m.slot });
    j.input?.update(b);
    if (j.error) { ack(); return; }
    if (j.gunzip) j.gunzip.write(b, () => ack());
    else apply(j, b, ack);
  } else if (m.t === 'end') {
    if (j.error) return;
    if (j.gunzip) j.gunzip.end();
    else void end(j);
  } else if (m.t === 'kill') {
    fail(j, new Error('layer apply canceled'));
  }
});
