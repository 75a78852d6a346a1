// Starts container monitors from a small long-lived bash instead of from berthd itself.
// Node's spawn() forks the whole daemon: the kernel copies berthd's page tables (about
// 4–8 ms of the event loop at 100 MB RSS, measured) and every page berthd writes afterwards
// takes a copy-on-write fault. bash forks in a fraction of a millisecond, off berthd's
// thread. berthd hands it one line per process; the process's extra descriptors are FIFOs
// (made here with mkfifo(3)) that bash opens as redirections, and a waiting subshell reports
// the exit status back as "x <token> <status>" on bash's stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { libcFunc } from '../lib/index.ts';

type MkfifoFn = ((path: string, mode: number) => number) & { async(path: string, mode: number, cb: (err: unknown, res: number) => void): void };

/** mkfifo(3) through koffi; null when FFI is unavailable. */
const loadMkfifo = (): MkfifoFn | null => libcFunc<MkfifoFn>('int mkfifo(const char *path, unsigned int mode)');

/**
 * Makes a FIFO (mode 0600); false when that cannot be done in-process. `inPlace`: on the event
 * loop (a tmpfs, where it cannot wait), else on a pool thread.
 */
export function makeFifo(path: string, inPlace = false): Promise<boolean> {
  const f = loadMkfifo();
  if (f === null) return Promise.resolve(false);
  if (inPlace) return Promise.resolve(f(path, 0o600) === 0);
  return new Promise((resolve) => f.async(path, 0o600, (err, res) => resolve(!err && res === 0)));
}

/** Single-quotes a word for the shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface ShellSpawn {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Extra descriptors: fd number -> [direction, FIFO path]; '>' opens for writing, '<' for reading. */
  fds: Readonly<Record<number, ['<' | '>', string]>>;
}

/** The shell line that runs one process in the background and reports its exit status. */
export function spawnLine(token: string, s: ShellSpawn): string {
  const env = Object.entries(s.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const fds = Object.entries(s.fds).map(([fd, [dir, path]]) => `${fd}${dir}${shellQuote(path)}`);
  const cmd = [...env, ...s.argv.map(shellQuote), ...fds, '</dev/null', '>/dev/null', '2>/dev/null'].join(' ');
  return `{ cd ${shellQuote(s.cwd)} && ${cmd}; echo "x ${token} $?"; } &\n`;
}

export class ShellSpawner {
  #sh: ChildProcess | null = null;
  readonly #waiting = new Map<string, (status: number) => void>();
  #seq = 0;

  constructor(private readonly shell = '/bin/bash') {}

  /** Runs the process; resolves with its exit status when it exits. */
  run(s: ShellSpawn): Promise<number> {
    const sh = this.#shell();
    const token = String(++this.#seq);
    const exited = new Promise<number>((resolve) => this.#waiting.set(token, resolve));
    this.#refOutput();
    // A full pipe only queues the line in Node; bash reads it soon enough.
    sh.stdin!.write(spawnLine(token, s));
    return exited;
  }

  /** Stops the shell; processes it started keep running (as monitors must). */
  close(): void {
    this.#sh?.stdin?.end();
    this.#sh = null;
  }

  /** bash's output keeps the event loop alive only while someone waits for an exit. */
  #refOutput(): void {
    const out = this.#sh?.stdout as unknown as { ref(): void; unref(): void } | undefined;
    if (this.#waiting.size > 0) out?.ref(); else out?.unref();
  }

  #shell(): ChildProcess {
    if (this.#sh && this.#sh.exitCode === null && this.#sh.signalCode === null) return this.#sh;
    // Its own session: signals to berthd's process group never reach the monitors. A minimal
    // environment: the monitors get exactly what each line names.
    const sh = spawn(this.shell, ['-c', 'while IFS= read -r line; do eval "$line"; done'], {
      stdio: ['pipe', 'pipe', 'ignore'], detached: true, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    sh.unref();
    sh.stdin!.on('error', () => undefined);
    // Reports keep coming from the subshells even if this bash dies: read until EOF.
    const lines = createInterface({ input: sh.stdout! });
    lines.on('line', (line) => {
      const m = /^x (\S+) (\d+)$/.exec(line);
      if (!m) return;
      const done = this.#waiting.get(m[1]!);
      this.#waiting.delete(m[1]!);
      done?.(Number(m[2]));
      this.#refOutput();
    });
    // bash missing or killed: whoever waits for a process hears -1; the next run() starts anew.
    const fail = (): void => {
      if (this.#sh === sh) this.#sh = null;
    };
    sh.on('error', () => {
      fail();
      for (const [token, done] of this.#waiting) { this.#waiting.delete(token); done(-1); }
    });
    sh.on('exit', fail);
    this.#sh = sh;
    return sh;
  }
}
