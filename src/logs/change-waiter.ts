// Waits until a followed log file may have changed: an fs.watch event, a poll tick, or the
// abort signal. fs.watch (inotify) gives low latency while conmon writes; the poll covers
// what inotify misses (some overlay/network filesystems, a file replaced by rotation, a file
// that does not exist yet) and is how a follower notices that the container stopped.
// Events that arrive while nobody waits are remembered, so none is lost between two waits.
import { watch, type FSWatcher } from 'node:fs';

export class ChangeWaiter {
  readonly #pollMs: number;
  readonly #watchedPollMs: number;
  readonly #signal: AbortSignal | undefined;
  #watcher: FSWatcher | undefined;
  #pending = false;
  #wake: (() => void) | undefined;
  #closed = false;
  readonly #onAbort = (): void => this.#notify();

  /**
   * `watchedPollMs`: the poll while an fs.watch is armed (default: the same), for a waiter
   * that learns of everything else another way and polls only as a backstop for lost events.
   */
  constructor(pollMs: number, signal?: AbortSignal, watchedPollMs = pollMs) {
    this.#pollMs = pollMs;
    this.#watchedPollMs = watchedPollMs;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** (Re)arms the fs.watch on `path`; on failure only the poll is left. */
  watch(path: string): void {
    this.#unwatch();
    if (this.#closed) return;
    try {
      const watcher = watch(path, () => this.#notify());
      // e.g. the file was removed: inotify drops the watch; the poll carries on alone.
      watcher.on('error', () => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
      });
      this.#watcher = watcher;
    } catch {
      // ENOENT (not created yet), ENOSPC (inotify watch limit): the poll carries on alone.
      this.#watcher = undefined;
    }
  }

  /** Whether an fs.watch is armed. */
  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  /**
   * Disarms the fs.watch until the next watch(): for a reader busy with a file that changes
   * all the time, whose every write would otherwise wake the event loop for nothing.
   */
  unwatch(): void {
    this.#unwatch();
  }

  /** Resolves on the next change notification, poll tick or abort. */
  wait(): Promise<void> {
    if (this.#pending || this.#closed || this.#signal?.aborted === true) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#notify(), this.#watcher ? this.#watchedPollMs : this.#pollMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
    });
  }

  /** Stops watching and releases a pending wait(). */
  close(): void {
    this.#closed = true;
    this.#unwatch();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#notify();
  }

  #notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
