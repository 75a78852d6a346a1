// A layer apply on a worker thread (apply-worker.ts): the main thread only copies the layer's
// bytes, as they arrive, into memory shared with a worker, which does the rest: the blob's
// digest, gunzip, the header guard and tar-split record, the diffID, `tar -x`. Those cost
// several times what the copy does (and the decompressor's garbage, collected on berthd's big
// heap, cost as much again); here they run on other cores, with the main thread free for
// the next layer's bytes and for API requests.
//
// Bytes go in batches of up to 1 MiB, IN_FLIGHT slots per job: a batch is written into a
// free slot, posted, and the slot comes back once the worker has used it (backpressure:
// nothing of a layer is held whole). Workers are pooled and shared: a job goes to an idle
// worker, else a new one while fewer than MAX_WORKERS run, else the least busy (a worker runs
// several jobs at once; starting one costs ~40 ms of CPU, as much as hashing a 60 MB layer,
// so the five layers of a pull on two cores take two workers, not five). Idle workers are
// unref'd and ended after IDLE_MS unused (an idle berthd holds none).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../lib/index.ts';

export interface ApplyJob {
  /** GNU tar's arguments (it reads stdin). */
  args: string[];
  /** The bytes are gzip (decompressed in the worker), or a plain tar. */
  compression: 'gzip' | null;
  /** Record the layer's tar-split here (tar-split.ts); without one only the guard runs. */
  splitPath: string | null;
  /** Also compute the sha256 of the bytes as given (a compressed blob's digest). */
  hashInput: boolean;
  /** gzip without its CRC-32 (gunzip-raw.ts): the caller checks the blob digest and the diffID. */
  noCrc?: boolean;
}

type WorkerError = { message: string; invalid: boolean; code?: string };
export type ToWorker =
  | ({ t: 'start'; id: number; slots: SharedArrayBuffer } & ApplyJob)
  | { t: 'data'; id: number; slot: number; size: number; len: number }
  | { t: 'end'; id: number }
  | { t: 'kill'; id: number };
export type FromWorker =
  | { t: 'ack'; id: number; slot: number }
  | { t: 'failed'; id: number; error: WorkerError }
  | { t: 'done'; id: number; code: number; signal: string | null; stderr: string; error: WorkerError | null; diffId: string; inputDigest: string | null; whiteouts: number };

export interface ApplyResult {
  /** sha256 of the tar (after decompression). */
  diffId: string;
  /** sha256 of the bytes as written (hashInput), else null. */
  inputDigest: string | null;
  /** OCI whiteout entries seen (the layer dir then needs converting). */
  whiteouts: number;
}

const BATCH = 1 << 20;
const IN_FLIGHT = 4;
/** Workers running at once: one per core (at least 2, at most 4). */
const MAX_WORKERS = Math.max(2, Math.min(4, availableParallelism()));

/** What a job listens to on its worker. */
interface JobHandler { message(m: FromWorker): void; lost(err: Error): void }
interface PooledWorker { w: Worker; jobs: Map<number, JobHandler>; timer?: NodeJS.Timeout }
/** Every running worker, busy or idle. */
const live: PooledWorker[] = [];
let jobs = 0;

/** dist/layer-apply-worker.js beside the bundle; the .ts source when run from src (tests, with tsx). */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./apply-worker.ts', import.meta.url) : new URL('./layer-apply-worker.js', import.meta.url);
}

/**
 * An idle worker (an isolate: ~12 MB of the daemon's PSS, measured) is ended after this long
 * unused: long enough for the layers of one load, pull or build to reuse it, short enough
 * that a daemon which just imported an image is back to its idle size before its idle
 * malloc_trim (daemon/idle-trim.ts, 400 ms after the last request) runs.
 */
const IDLE_MS = 250;

function spawnWorker(): PooledWorker {
  const url = workerUrl();
  const opts = { stdout: false, stderr: false };
  let w: Worker;
  if (!url.pathname.endsWith('.ts')) {
    w = new Worker(url, opts);
  } else {
    // From src (tests under tsx): Node 20 loads a worker's entry before --import hooks apply,
    // so the worker registers tsx itself, then imports the .ts source.
    const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
    w = new Worker(boot, { ...opts, eval: true });
  }
  const p: PooledWorker = { w, jobs: new Map() };
  live.push(p);
  w.on('message', (m: FromWorker) => p.jobs.get(m.id)?.message(m));
  const gone = (err: Error): void => {
    clearTimeout(p.timer);
    const i = live.indexOf(p);
    if (i >= 0) live.splice(i, 1);
    const hs = [...p.jobs.values()];
    p.jobs.clear();
    for (const h of hs) h.lost(err);
  };
  w.on('error', (err) => { gone(err); void w.terminate(); });
  w.on('exit', (code) => gone(new Error(`layer apply worker exited (${code})`)));
  return p;
}

function acquire(): PooledWorker {
  let best: PooledWorker | null = null;
  for (const p of live) if (!best || p.jobs.size < best.jobs.size) best = p;
  const p = best && (best.jobs.size === 0 || live.length >= MAX_WORKERS) ? best : spawnWorker();
  clearTimeout(p.timer);
  p.w.ref();
  return p;
}

/** A job of `p` is over: once it has none, it idles (unref'd), then ends. */
function release(p: PooledWorker, id: number): void {
  p.jobs.delete(id);
  if (p.jobs.size > 0 || !live.includes(p)) return;
  p.w.unref();
  clearTimeout(p.timer);
  // Out of the pool before it is told to end: a job acquiring it in between would get a worker
  // that exits under it.
  p.timer = setTimeout(() => {
    const i = live.indexOf(p);
    if (i >= 0) live.splice(i, 1);
    void p.w.terminate();
  }, IDLE_MS);
  p.timer.unref();
}

function toError(e: WorkerError): Error {
  if (e.invalid) return new InvalidArgumentError(e.message);
  // zlib's errors keep their code (Z_DATA_ERROR…): callers tell bad input by it.
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}

/**
 * One layer applied by a worker: `write` chunks (each awaited when the worker is behind; it
 * rejects once the worker failed, e.g. the guard refused an entry), then `end()` for the
 * result, or `kill()` on a failure here.
 */
export class LayerApply {
  readonly #p: PooledWorker;
  readonly #w: Worker;
  readonly #slots: SharedArrayBuffer;
  readonly #id = ++jobs;
  /** Free slots; #slot is the one being filled. */
  readonly #free: number[] = [];
  #slot = 0;
  #batch: Buffer;
  #fill = 0;
  #waiter: (() => void) | null = null;
  #failed: Error | null = null;
  #settled = false;
  readonly #done: Promise<{ code: number; signal: string | null; stderr: string; error: WorkerError | null } & ApplyResult>;

  constructor(job: ApplyJob) {
    this.#p = acquire();
    this.#w = this.#p.w;
    this.#slots = new SharedArrayBuffer(IN_FLIGHT * BATCH);
    for (let i = IN_FLIGHT - 1; i > 0; i--) this.#free.push(i);
    this.#batch = Buffer.from(this.#slots, 0, BATCH);
    this.#done = new Promise((resolve, reject) => {
      const wake = (): void => { const w = this.#waiter; this.#waiter = null; w?.(); };
      this.#p.jobs.set(this.#id, {
        message: (m) => {
          if (m.t === 'ack') {
            this.#free.push(m.slot);
          } else if (m.t === 'failed') {
            this.#failed ??= toError(m.error);
          } else {
            this.#settled = true;
            release(this.#p, this.#id);
            resolve(m);
          }
          wake();
        },
        lost: (err) => {
          if (this.#settled) return;
          this.#settled = true;
          this.#failed ??= err;
          reject(err);
          wake();
        },
      });
    });
    this.#done.catch(() => undefined);
    this.#post({ t: 'start', id: this.#id, slots: this.#slots, ...job });
  }

  #post(m: ToWorker): void { this.#w.postMessage(m); }

  /** Copies `chunk` on its way; resolves when more may be written. */
  async write(chunk: Buffer): Promise<void> {
    if (this.#failed) throw this.#failed;
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
    if (this.#failed) throw this.#failed;
    if (this.#fill === 0 || this.#settled) { this.#fill = 0; return; }
    this.#post({ t: 'data', id: this.#id, slot: this.#slot, size: BATCH, len: this.#fill });
    this.#fill = 0;
    while (this.#free.length === 0 && !this.#settled && !this.#failed) await new Promise<void>((r) => { this.#waiter = r; });
    if (this.#failed) throw this.#failed;
    if (this.#settled) return;
    this.#slot = this.#free.pop()!;
    this.#batch = Buffer.from(this.#slots, this.#slot * BATCH, BATCH);
  }

  /** Sends what is left and waits for the worker: the result, or its error. */
  async end(): Promise<ApplyResult> {
    await this.#send();
    if (!this.#settled) this.#post({ t: 'end', id: this.#id });
    const r = await this.#done;
    if (r.error) throw toError(r.error);
    if (r.code !== 0) throw new InvalidArgumentError(`invalid layer tar: ${r.stderr.trim() || (r.signal ? `tar killed by ${r.signal}` : `tar exit ${r.code}`)}`);
    return { diffId: r.diffId, inputDigest: r.inputDigest, whiteouts: r.whiteouts };
  }

  /** Stops the job (tar killed, its split file removed) and waits until it is gone. */
  async kill(): Promise<void> {
    if (!this.#settled) this.#post({ t: 'kill', id: this.#id });
    await this.#done.catch(() => undefined);
  }
}
