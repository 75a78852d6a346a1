// The tail of a layer apply on a worker thread: `tar -x` is spawned from the worker, which
// writes the layer's bytes into tar's stdin and hashes them (the diffID). Both cost as much
// as the rest of an apply together (a pipe write per chunk, sha256 of every byte), and on the
// main thread they were serialised with reading the source (the HTTP body, the archive's
// parser, the decompressor); here they run on another core, several layers at once.
//
// The main thread keeps what must come before tar sees a byte: the header guard (tar-split.ts),
// which refuses an escaping entry before its header is passed on. Bytes go to the worker in
// batches of up to 1 MiB (one copy into a transferred buffer; tar reads bigger pieces too),
// at most IN_FLIGHT of them unacknowledged (backpressure: nothing of a layer is held whole).
// Workers are pooled (idle ones are unref'd and kept, up to POOL_MAX).
import { Worker } from 'node:worker_threads';

/** The worker's source (CommonJS, evaluated): one job at a time. */
const WORKER_SRC = String.raw`
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { workerData } = require('node:worker_threads');
const slots = workerData.slots;
let job = null;
function finish() {
  if (!job || job.exit === undefined || !job.ended) return;
  const j = job; job = null;
  parentPort.postMessage({ t: 'done', id: j.id, code: j.exit, signal: j.signal, stderr: j.stderr, diffId: 'sha256:' + j.hash.digest('hex') });
}
parentPort.on('message', (m) => {
  if (m.t === 'start') {
    const tar = spawn('tar', m.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    job = { id: m.id, tar, hash: createHash('sha256'), stderr: '', open: true, ended: false, exit: undefined, signal: null };
    const j = job;
    tar.stderr.on('data', (d) => { if (j.stderr.length < 65536) j.stderr += d.toString(); });
    // GNU tar stops reading at the end-of-archive blocks and may exit before the padding after
    // them arrives: the rest is still hashed (the diffID covers every byte); tar's exit code
    // says whether the archive was good.
    const closed = () => { j.open = false; };
    tar.stdin.on('error', closed);
    tar.stdin.on('close', closed);
    tar.on('error', (e) => { j.stderr += String(e && e.message); });
    tar.on('close', (code, signal) => { j.exit = code === null ? -1 : code; j.signal = signal; finish(); });
  } else if (m.t === 'data') {
    const j = job;
    if (!j) return;
    const b = Buffer.from(slots, m.slot * m.size, m.len);
    j.hash.update(b);
    // The slot is free again once tar has its bytes.
    const ack = () => parentPort.postMessage({ t: 'ack', id: j.id, slot: m.slot });
    if (j.open && !j.tar.stdin.destroyed) j.tar.stdin.write(b, ack);
    else ack();
  } else if (m.t === 'end') {
    const j = job;
    if (!j) return;
    j.ended = true;
    if (!j.tar.stdin.destroyed) j.tar.stdin.end();
    finish();
  } else if (m.t === 'kill') {
    const j = job;
    if (!j) return;
    j.ended = true;
    j.tar.stdin.destroy();
    j.tar.kill('SIGKILL');
    finish();
  }
});
`;

const BATCH = 1 << 20;
const IN_FLIGHT = 4;
const POOL_MAX = 4;

interface PooledWorker { w: Worker; slots: SharedArrayBuffer }
const idle: PooledWorker[] = [];
let jobs = 0;

function acquire(): PooledWorker {
  const p = idle.pop();
  if (p) { p.w.removeAllListeners('exit'); p.w.ref(); return p; }
  // The batches live in memory shared with the worker: written here, read there, reused
  // (no transfer, no fresh pages per batch).
  const slots = new SharedArrayBuffer(IN_FLIGHT * BATCH);
  return { w: new Worker(WORKER_SRC, { eval: true, stdout: false, stderr: false, workerData: { slots } }), slots };
}

function release(p: PooledWorker): void {
  const w = p.w;
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.removeAllListeners('exit');
  if (idle.length >= POOL_MAX) { void w.terminate(); return; }
  w.unref();
  // An idle worker that dies is dropped from the pool.
  w.once('exit', () => { const i = idle.indexOf(p); if (i >= 0) idle.splice(i, 1); });
  idle.push(p);
}

export interface TarResult { code: number; signal: string | null; stderr: string; diffId: string }

/**
 * One `tar -x` fed from this thread: `write` chunks (each awaited when the worker is behind),
 * then `end()` for tar's result and the sha256 of everything written; `kill()` on failure.
 */
export class TarFeed {
  readonly #p: PooledWorker;
  readonly #w: Worker;
  /** Free slots of the shared batch memory; #slot is being filled. */
  readonly #free: number[] = [];
  #slot: number;
  #batch: Buffer;
  #fill = 0;
  #waiter: (() => void) | null = null;
  readonly #done: Promise<TarResult>;
  #settled = false;
  readonly #id = ++jobs;

  constructor(args: readonly string[]) {
    this.#p = acquire();
    this.#w = this.#p.w;
    for (let i = IN_FLIGHT - 1; i > 0; i--) this.#free.push(i);
    this.#slot = 0;
    this.#batch = Buffer.from(this.#p.slots, 0, BATCH);
    this.#done = new Promise<TarResult>((resolve, reject) => {
      this.#w.on('message', (m: { t: string; id: number; slot?: number } & Partial<TarResult>) => {
        // A late ack of an earlier job on this worker (a write that failed after its kill).
        if (m.id !== this.#id) return;
        if (m.t === 'ack') {
          this.#free.push(m.slot!);
          const w = this.#waiter; this.#waiter = null; w?.();
        } else if (m.t === 'done') {
          this.#settled = true;
          release(this.#p);
          resolve({ code: m.code!, signal: m.signal ?? null, stderr: m.stderr ?? '', diffId: m.diffId! });
          const w = this.#waiter; this.#waiter = null; w?.();
        }
      });
      const fail = (err: Error): void => {
        if (this.#settled) return;
        this.#settled = true;
        this.#w.removeAllListeners();
        void this.#w.terminate();
        reject(err);
        const w = this.#waiter; this.#waiter = null; w?.();
      };
      this.#w.on('error', fail);
      this.#w.on('exit', (code) => fail(new Error(`layer apply worker exited (${code})`)));
    });
    this.#done.catch(() => undefined);
    this.#w.postMessage({ t: 'start', id: this.#id, args });
  }

  /** Copies `chunk` on its way; resolves when more may be written. */
  async write(chunk: Buffer): Promise<void> {
    let i = 0;
    while (i < chunk.length) {
      const n = Math.min(BATCH - this.#fill, chunk.length - i);
      chunk.copy(this.#batch, this.#fill, i, i + n);
      this.#fill += n;
      i += n;
      if (this.#fill === BATCH) await this.#send();
    }
  }

  async #send(): Promise<void> {
    if (this.#fill === 0 || this.#settled) { this.#fill = 0; return; }
    this.#w.postMessage({ t: 'data', slot: this.#slot, size: BATCH, len: this.#fill });
    this.#fill = 0;
    while (this.#free.length === 0 && !this.#settled) await new Promise<void>((r) => { this.#waiter = r; });
    if (this.#settled) return;
    this.#slot = this.#free.pop()!;
    this.#batch = Buffer.from(this.#p.slots, this.#slot * BATCH, BATCH);
  }

  /** Sends what is left, closes tar's stdin and waits for tar. */
  async end(): Promise<TarResult> {
    await this.#send();
    if (!this.#settled) this.#w.postMessage({ t: 'end' });
    return this.#done;
  }

  /** Kills tar (a guard refusal, an aborted source) and waits for it to be gone. */
  async kill(): Promise<void> {
    if (!this.#settled) this.#w.postMessage({ t: 'kill' });
    await this.#done.catch(() => undefined);
  }
}
