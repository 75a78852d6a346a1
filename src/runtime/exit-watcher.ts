// Watches conmon's exit directory: conmon writes <exit-dir>/<container-id> (the decimal exit
// code, 128+signal when killed) when the container's init exits. One fs.watch for all
// containers; a slow poll backs it up, because inotify events can be missed when files are
// written while the watcher is being set up (and after a daemon restart).
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export type ExitHandler = (id: string, exitCode: number) => void;

export class ExitWatcher {
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #interested = new Set<string>();
  #seen = new Set<string>();

  constructor(private readonly exitDir: string, private readonly onExit: ExitHandler, private readonly pollMs = 2000) {}

  start(): void {
    this.#watcher = watch(this.exitDir, (_ev, name) => { if (name) void this.#check(name.toString()); });
    this.#watcher.on('error', () => undefined);
    this.#timer = setInterval(() => void this.scan(), this.pollMs);
    this.#timer.unref();
  }

  /** Start reporting the exit of `id` (call before the container can exit). */
  track(id: string): void {
    this.#seen.delete(id);
    this.#interested.add(id);
    void this.#check(id);
  }

  untrack(id: string): void {
    this.#interested.delete(id);
  }

  async scan(): Promise<void> {
    let names: string[];
    try { names = await readdir(this.exitDir); } catch { return; }
    for (const n of names) if (this.#interested.has(n)) await this.#check(n);
  }

  async #check(id: string): Promise<void> {
    if (!this.#interested.has(id) || this.#seen.has(id)) return;
    let text: string;
    // A few bytes on the exec root's tmpfs: read in place, not through a pool thread's round
    // trip, which was a measurable part of the time between an exit and its report.
    try { text = readFileSync(join(this.exitDir, id), 'utf8'); } catch { return; }
    if (text.trim() === '') return; // being written
    if (this.#seen.has(id) || !this.#interested.has(id)) return;
    this.#seen.add(id);
    this.#interested.delete(id);
    const code = Number.parseInt(text.trim(), 10);
    this.onExit(id, Number.isFinite(code) ? code : 255);
  }

  stop(): void {
    this.#watcher?.close();
    if (this.#timer) clearInterval(this.#timer);
  }
}
