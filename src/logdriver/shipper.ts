// A container's log shipper: tails conmon's capture (ctr.log, k8s-file records) and feeds
// each record to the container's driver. The capture is the durable copy: conmon writes it
// whether or not berthd is alive, so a slow or dead destination, or berthd killed -9,
// never blocks the container. What is shipped is punched out of the capture (punch-hole.ts,
// beside the reading), which bounds its disk use; should the capture be replaced, the
// shipper reads the old file to its end, then moves to the new one.
//
// The read position ({ino, offset}) is saved (atomic write) at most once a second and at
// the end, so a restarted berthd resumes where it stopped: at most a second of records is
// shipped twice, and none is lost.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../lib/index.ts';
import { ChangeWaiter } from '../logs/index.ts';
import type { Driver } from './driver.ts';
import { punchShipped } from './punch-hole.ts';
import { newRecord, nextRecord } from './record.ts';

// Read buffer: small while a container logs little, up to 1 MiB while it logs a lot, so 100
// quiet containers cost little memory and a busy one few syscalls.
const READ_MIN = 64 << 10;
const READ_MAX = 1 << 20;
const SAVE_EVERY_MS = 1000;
// Memory goes back (read buffer, the driver's batch) only after this long without output: a
// busy container catches up with conmon many times a second, and shrinking at each of those
// moments made it allocate (and the GC collect) megabytes of buffers over and over.
const TRIM_AFTER_MS = 1000;
const COALESCE_MS = 20;

export interface Position { ino: number; offset: number }

export function loadPosition(path: string): Position | null {
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as Position;
    return typeof p.ino === 'number' && typeof p.offset === 'number' ? p : null;
  } catch {
    return null;
  }
}

export class Shipper {
  readonly #capture: string;
  readonly #positionFile: string;
  readonly #driver: Driver;
  readonly #onError: (err: unknown) => void;
  #stopping: Promise<void> | null = null;
  #stopped = false;
  /** Ends the current idle wait early (the producer is gone: no change event will come). */
  #wake: (() => void) | null = null;
  readonly #abort = new AbortController();
  readonly done: Promise<void>;
  malformed = 0;

  constructor(capture: string, positionFile: string, driver: Driver, resumeFrom: Position | null, onError: (err: unknown) => void) {
    this.#capture = capture;
    this.#positionFile = positionFile;
    this.#driver = driver;
    this.#onError = onError;
    this.done = this.#run(resumeFrom).catch((err: unknown) => onError(err)).finally(() => this.#driver.close().catch(onError));
  }

  /**
   * Ships what is left once `producerGone` settles (conmon exited: the capture is final),
   * then stops. Gives up after `timeoutMs` (a destination that is down).
   */
  async finish(producerGone: Promise<unknown>, timeoutMs: number): Promise<boolean> {
    const stop = (): void => { this.#stopped = true; this.#wake?.(); };
    this.#stopping ??= producerGone.then(stop, stop);
    const timer = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
    const finished = await Promise.race([this.done.then(() => true), timer]);
    this.#abort.abort();
    return finished;
  }

  async #run(resume: Position | null): Promise<void> {
    // While the capture is watched, the poll is only a backstop (every write raises an inotify
    // event, and the exit wakes the loop directly): an idle container costs no reads 4 times a second.
    const waiter = new ChangeWaiter(250, this.#abort.signal, 2000);
    let fh: FileHandle | null = null;
    let ino = 0;
    let pos = 0;
    let lastSave = 0;
    let savedIno = -1;
    let savedOffset = -1;
    let buf = Buffer.allocUnsafe(READ_MIN);
    let lastData = Date.now();
    let carry = 0;
    const rec = newRecord();
    let punched = 0;
    // A punch runs on a pool thread while the shipper reads on (punching a second of output
    // at full speed takes tens of ms); the descriptor is closed only once it is done.
    let punching: Promise<void> | null = null;
    const save = async (force: boolean): Promise<void> => {
      if (!force && Date.now() - lastSave < SAVE_EVERY_MS) return;
      // Nothing shipped since the last save (an idle container): nothing to write. Nothing
      // shipped at all: no file either (none means the capture's start), so a quiet container
      // costs no file create on the data root's disk.
      if (ino === savedIno && pos - carry === savedOffset) return;
      if (savedIno === -1 && pos - carry === 0) return;
      lastSave = Date.now();
      savedIno = ino;
      savedOffset = pos - carry;
      await writeFileAtomic(this.#positionFile, JSON.stringify({ ino, offset: pos - carry }), { durable: false }).catch(this.#onError);
      // Only once the position is saved: a restarted berthd never goes back into the hole. (The
      // capture is opened read-write for this: fallocate needs a writable descriptor.)
      if (fh !== null && punching === null && pos - carry > punched) {
        punching = punchShipped(fh.fd, punched, pos - carry).then((p) => { punched = p; }, () => undefined).finally(() => { punching = null; });
      }
    };
    try {
      for (;;) {
        if (this.#abort.signal.aborted) return;
        if (fh === null) {
          fh = await open(this.#capture, 'r+').catch(() => null);
          if (fh === null) {
            if (await this.#producerGone()) return;
            await waiter.wait();
            continue;
          }
          waiter.watch(this.#capture);
          ino = (await fh.stat()).ino;
          pos = resume !== null && resume.ino === ino ? resume.offset : 0;
          punched = 0;
          resume = null;
          carry = 0;
        }
        if (carry === buf.length) {
          // One record longer than the buffer: grow (conmon splits lines at 8 KiB, so rare).
          const next = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(next, 0, 0, carry);
          buf = next;
        }
        // Stopped before this read: conmon had finished writing, so a read that finds nothing
        // is the end (unless the capture was replaced: the stat below still looks).
        const final = this.#stopped;
        const { bytesRead } = await fh.read(buf, carry, buf.length - carry, pos);
        if (bytesRead > 0 && carry + bytesRead === buf.length && buf.length < READ_MAX) {
          // A full read: the container is busy; read more at a time.
          const next = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(next, 0, 0, carry + bytesRead);
          buf = next;
        }
        if (bytesRead > 0) {
          lastData = Date.now();
          pos += bytesRead;
          const end = carry + bytesRead;
          let at = 0;
          const fast = this.#driver.records?.bind(this.#driver);
          for (;;) {
            if (fast !== undefined) at = fast(buf, at, end);
            const next = nextRecord(buf, at, end, rec);
            if (next < 0) break;
            if (rec.valid) this.#driver.record(rec);
            else this.malformed++;
            at = next;
          }
          carry = end - at;
          if (carry > 0) buf.copy(buf, 0, at, end);
          await this.#driver.flush();
          await save(false);
          // A short read: we caught up with conmon, which is still writing. Reading on at once
          // would chase it in slivers (hundreds of reads of ~100 KB for 50 MiB, each a pool
          // thread round trip); a short pause lets a larger piece gather, as after a wait.
          if (end < buf.length / 2 && !this.#stopped) await this.#pause();
          continue;
        }
        // At the end of what is there: replaced by conmon (size cap), truncated, or idle.
        const now = await stat(this.#capture).catch(() => null);
        if (now !== null && now.ino !== ino) {
          await punching;
          await fh.close();
          fh = null;
          continue;
        }
        if (now !== null && now.size < pos) {
          await punching;
          punched = 0;
          pos = 0;
          carry = 0;
          continue;
        }
        if (final) return;
        if (await this.#producerGone()) {
          // One last read: conmon may have written between our read and its exit.
          const again = await fh.read(buf, carry, buf.length - carry, pos);
          if (again.bytesRead > 0) continue;
          return;
        }
        await save(false);
        if (buf.length > READ_MIN && carry <= READ_MIN / 2 && Date.now() - lastData >= TRIM_AFTER_MS) {
          this.#driver.trim?.();
          const small = Buffer.allocUnsafe(READ_MIN);
          buf.copy(small, 0, 0, carry);
          buf = small;
        }
        // finish() may have come during the awaits since #producerGone() said no: with no
        // #wake to call then, the wait below would last until the poll backstop (2 s) on a
        // capture that no longer changes. Checked with no await before #wake is set.
        if (this.#stopped) continue;
        // The watch is off while the container is busy (below): armed again here, then one
        // more read, so a write between our last read and the arming is not waited for.
        if (!waiter.watching) {
          waiter.watch(this.#capture);
          if (waiter.watching) continue;
        }
        await Promise.race([waiter.wait(), new Promise<void>((r) => { this.#wake = r; })]);
        this.#wake = null;
        // Every write of conmon (8 KiB each) raises an inotify event, each waking the event
        // loop: off until we catch up with the capture again.
        waiter.unwatch();
        // conmon writes in pieces of up to 8 KiB: a short pause gathers many of them into one
        // read and one write (fewer wake-ups and syscalls; ≤ 20 ms more latency for followers).
        if (!this.#stopped) await this.#pause();
      }
    } finally {
      waiter.close();
      // Saved now; the shipped part is punched out after (off the container's exit path),
      // then the capture is closed.
      await save(true);
      const last = fh as FileHandle | null;
      const end = pos - carry;
      if (last !== null) {
        void (async () => {
          await punching;
          if (end > punched) await punchShipped(last.fd, punched, end);
          await last.close().catch(() => undefined);
        })();
      }
    }
  }

  /** Waits COALESCE_MS, or less if finish() wakes us (conmon is gone: drain at once). */
  async #pause(): Promise<void> {
    await new Promise<void>((r) => { this.#wake = r; setTimeout(r, COALESCE_MS); });
    this.#wake = null;
  }

  // Set once finish() was called and conmon is gone.
  async #producerGone(): Promise<boolean> {
    await Promise.resolve();
    return this.#stopped;
  }
}
