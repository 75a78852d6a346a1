// Launches one conmon per container (PLATFORM.md §1.2, as podman does). conmon double-forks
// and outlives berthd: it owns the container's stdio, writes the k8s-file log, the exit
// code (<exit-dir>/<id> and <persist-dir>/exit) and an `oom` marker, and serves the attach
// socket <socket-dir>/<id>/attach (SOCK_SEQPACKET). The container is 'created' only when
// conmon reports its pid on the sync pipe; only then may `runtime start` run (§1.3).
import { spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { writeFile, mkdir, rm, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { makeFifo, ShellSpawner } from './shell-spawner.ts';
import { InternalError, onTmpfs, writeFileAtomic } from '../lib/index.ts';
import type { OciSpec } from '../oci/index.ts';
import type { OciRuntime } from './oci-runtime.ts';

export interface ConmonPaths {
  conmon: string;
  /** Per-boot state root (<exec-root>). */
  execRoot: string;
}

export interface CreateOptions {
  id: string;
  name: string;
  spec: OciSpec;
  runtime: OciRuntime;
  /** The container's data dir: conmon's working directory. */
  persistDir: string;
  logPath: string;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  logSizeMax?: number;
}

export interface CreatedContainer {
  pid: number;
  /**
   * Settles when conmon exits: after the container's exit and after conmon ran
   * `runtime delete` for it (--exit-command), so the runtime state is gone by then.
   */
  monitorExited: Promise<void>;
  /**
   * Settles when the monitor process (after conmon's double fork) is gone, i.e. when the
   * sync pipe it keeps open closes: by then all of the container's output is in the log.
   */
  monitorGone: Promise<void>;
}

export interface ExecOptions {
  containerId: string;
  execId: string;
  runtime: OciRuntime;
  process: unknown;
  tty: boolean;
  openStdin: boolean;
}

export class ConmonLauncher {
  readonly exitDir: string;
  readonly socketDir: string;
  /** Container monitors start from this small shell (see shell-spawner.ts for why); null: Node spawns them. */
  readonly #spawner: ShellSpawner | null;

  constructor(private readonly paths: ConmonPaths, spawner: ShellSpawner | null = new ShellSpawner()) {
    this.#spawner = spawner;
    this.exitDir = join(paths.execRoot, 'exits');
    this.socketDir = join(paths.execRoot, 's');
  }

  /**
   * Whether the exec root is a tmpfs: then a start's bundle files (a dozen creates, writes and
   * removals) are made in place, where each takes microseconds, instead of through the pool,
   * where each round trip took 0.1–0.3 ms of the start's latency, one after the other.
   */
  #inPlace = false;

  /** The exec root is a tmpfs (small per-boot files there are best made in place). */
  get execRootOnTmpfs(): boolean {
    return this.#inPlace;
  }

  async init(): Promise<void> {
    await mkdir(this.exitDir, { recursive: true, mode: 0o700 });
    await mkdir(this.socketDir, { recursive: true, mode: 0o700 });
    this.#inPlace = await onTmpfs(this.paths.execRoot);
  }

  bundleDir(id: string): string {
    return join(this.paths.execRoot, 'c', id);
  }

  /** Path of the attach socket: short on purpose (sun_path is 108 bytes). */
  attachSocket(id: string): string {
    return join(this.socketDir, id.slice(0, 12), 'attach');
  }

  /** conmon's OOM marker for the container's current run. */
  oomMarker(id: string): string {
    return join(this.bundleDir(id), 'oom');
  }

  /** conmon's copy of the exit code beside the bundle (the exit dir holds the other). */
  exitMarker(id: string): string {
    return join(this.bundleDir(id), 'exit');
  }

  ctlPath(id: string): string {
    return join(this.bundleDir(id), 'ctl');
  }

  /** Removes what conmon and the runtime left in the exec root for a removed container. */
  async cleanup(id: string): Promise<void> {
    if (this.#inPlace) {
      for (const p of [this.bundleDir(id), join(this.exitDir, id), join(this.socketDir, id.slice(0, 12))]) rmSync(p, { recursive: true, force: true });
      return;
    }
    await Promise.all([
      rm(this.bundleDir(id), { recursive: true, force: true }),
      rm(join(this.exitDir, id), { force: true }),
      rm(join(this.socketDir, id.slice(0, 12)), { force: true }),
    ]);
  }

  async create(o: CreateOptions): Promise<CreatedContainer> {
    const bundle = this.bundleDir(o.id);
    const stale = [join(this.exitDir, o.id), join(bundle, 'exit'), join(bundle, 'oom')];
    if (this.#inPlace) {
      mkdirSync(bundle, { recursive: true, mode: 0o700 });
      // Per-boot, read by the runtime only after this returns: a plain write does.
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(o.spec));
      for (const p of stale) rmSync(p, { force: true });
    } else {
      await mkdir(bundle, { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(bundle, 'config.json'), JSON.stringify(o.spec), { durable: false });
      await Promise.all(stale.map((p) => rm(p, { force: true })));
    }
    const args = [
      '--api-version', '1',
      '-c', o.id, '-u', o.id.slice(0, 12), '-n', o.name,
      '-r', o.runtime.launchPath, '--runtime-arg', `--root=${o.runtime.root}`,
      '-b', bundle,
      '-p', join(bundle, 'pidfile'),
      '-P', join(bundle, 'conmon.pid'),
      // conmon's `exit` and `oom` markers go beside the bundle, on the exec root's tmpfs: the
      // exit marker is written before the exit-dir file berthd watches, and a file created on
      // the data root's disk (~0.4 ms of inode allocation here) delayed every exit report.
      // Both live as long as the container may be running (the exec root is per boot).
      '-0', bundle,
      '-l', `k8s-file:${o.logPath}`,
      '--exit-dir', this.exitDir,
      '--socket-dir-path', this.socketDir,
      '--log-level', 'warning',
      // --sync: conmon stays berthd's child instead of double-forking to PID 1, so berthd
      // reaps it; an init that does not reap (as in some sandboxes) would collect zombies.
      '--sync',
      // No fsync of the capture at the container's exit (conmon's default): the capture is a
      // staging file the log shipper reads (dockerd does not fsync its logs either), and the
      // sync stood between the exit and the exit file.
      '--no-sync-log',
    ];
    if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
    // conmon deletes the runtime's state (and cgroup) itself once the container exited, after
    // writing the exit file: one process spawn fewer for berthd per container.
    for (const a of [`--root=${o.runtime.root}`, 'delete', '--force', o.id]) args.push('--exit-command-arg', a);
    args.push('--exit-command', o.runtime.exitCommandPath);
    if (o.tty) args.push('-t');
    if (o.openStdin) args.push('-i');
    if (o.openStdin && !o.stdinOnce) args.push('--leave-stdin-open');
    return (await this.#launchViaShell(args, o.persistDir, bundle)) ?? this.#launch(args, o.persistDir);
  }

  /** Stops the monitor spawner (monitors keep running). */
  close(): void {
    this.#spawner?.close();
  }

  /**
   * conmon started by the shell spawner, its sync and start pipes as FIFOs in the bundle.
   * berthd opens both FIFOs read-write first, so neither its opens nor bash's block, and a
   * FIFO's data outlives the moment no one else has it open. null when FIFOs cannot be made
   * (the caller spawns conmon itself).
   */
  async #launchViaShell(args: string[], cwd: string, bundle: string): Promise<CreatedContainer | null> {
    if (!this.#spawner) return null;
    const syncPath = join(bundle, 'sync.fifo');
    const startPath = join(bundle, 'start.fifo');
    if (this.#inPlace) for (const p of [syncPath, startPath]) rmSync(p, { force: true });
    else await Promise.all([rm(syncPath, { force: true }), rm(startPath, { force: true })]);
    const made = await Promise.all([makeFifo(syncPath, this.#inPlace), makeFifo(startPath, this.#inPlace)]);
    if (!made[0] || !made[1]) return null;
    const flags = fsConstants.O_RDWR | fsConstants.O_NONBLOCK;
    const syncFd = openSync(syncPath, flags);
    let startFd: number | null = openSync(startPath, flags);
    writeSync(startFd, '0');
    const closeStart = (): void => {
      if (startFd !== null) { closeSync(startFd); startFd = null; }
    };
    const sync = new Socket({ fd: syncFd, readable: true, writable: false });
    sync.on('error', () => undefined);
    const status = this.#spawner.run({
      argv: [this.paths.conmon, ...args], cwd, env: { _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
      fds: { 3: ['>', syncPath], 4: ['<', startPath] },
    });
    // The sync FIFO stays open (and drained) while conmon lives: it may write to it again.
    const monitorExited = status.then(() => { sync.destroy(); });
    try {
      const pid = await readSyncMessage(sync, status.then((code) => `conmon exited with status ${code} before the container was created`));
      // With --sync the monitor is the very process bash waits for: its exit is both.
      return { pid, monitorExited, monitorGone: monitorExited };
    } catch (err) {
      sync.destroy();
      throw err;
    } finally {
      closeStart();
      if (this.#inPlace) for (const p of [syncPath, startPath]) rmSync(p, { force: true });
      else await Promise.all([unlink(syncPath).catch(() => undefined), unlink(startPath).catch(() => undefined)]);
    }
  }

  /**
   * Runs a process in a running container through conmon's exec mode (tty, attach socket,
   * exit code). With --exec-attach conmon reports on _OCI_ATTACHPIPE when the attach
   * socket exists and then waits for a second byte on the start pipe, so the caller can
   * connect before the process runs and no output is lost. Call `attached()` once connected.
   */
  async exec(o: ExecOptions): Promise<ExecHandle> {
    const dir = this.execDir(o.containerId, o.execId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const specPath = join(dir, 'process.json');
    await writeFile(specPath, JSON.stringify(o.process));
    const args = [
      '--api-version', '1',
      '-c', o.containerId, '-u', o.execId.slice(0, 12), '-n', o.execId.slice(0, 12),
      '-r', o.runtime.launchPath, '--runtime-arg', `--root=${o.runtime.root}`,
      '-b', dir,
      '-p', join(dir, 'pidfile'),
      '-0', dir,
      '-l', `k8s-file:${join(dir, 'log')}`,
      '--exit-dir', dir,
      '--socket-dir-path', this.socketDir,
      '--log-level', 'warning', '--sync',
      '--exec', '--exec-process-spec', specPath, '--exec-attach',
    ];
    if (o.tty) args.push('-t');
    if (o.openStdin) args.push('-i');
    return this.#launchExec(args, dir);
  }

  execDir(containerId: string, execId: string): string {
    return join(this.bundleDir(containerId), 'exec', execId.slice(0, 12));
  }

  execAttachSocket(execId: string): string {
    return join(this.socketDir, execId.slice(0, 12), 'attach');
  }

  #spawn(args: string[], cwd: string, extraFds: number): ReturnType<typeof spawn> {
    // Container monitors outlive berthd: give them no stderr pipe that could break (SIGPIPE)
    // once berthd is gone. Exec monitors (extraFds > 0) die with their session anyway.
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', extraFds > 0 ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    for (let i = 0; i < extraFds; i++) stdio.push('pipe');
    return spawn(this.paths.conmon, args, {
      cwd,
      stdio,
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4',
        ...(extraFds > 0 ? { _OCI_ATTACHPIPE: '5' } : {}),
      },
      detached: true,
    });
  }

  /** Starts conmon and resolves with the container pid from the first sync-pipe message. */
  #launch(args: string[], cwd: string): Promise<CreatedContainer> {
    const child = this.#spawn(args, cwd, 0);
    const monitorExited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const monitorGone = new Promise<void>((resolve) => (child.stdio[3] as NodeJS.ReadableStream).once('close', () => resolve()));
    return readSyncPid(child).then((pid) => ({ pid, monitorExited, monitorGone })).finally(() => child.unref());
  }

  #launchExec(args: string[], cwd: string): Promise<ExecHandle> {
    const child = this.#spawn(args, cwd, 1);
    const startPipe = child.stdio[4] as NodeJS.WritableStream;
    startPipe.on('error', () => undefined);
    startPipe.write('0');
    const sync = child.stdio[3] as NodeJS.ReadableStream;
    const attachPipe = (child.stdio as unknown as NodeJS.ReadableStream[])[5]!;
    let stderr = '';
    (child.stdio[2] as NodeJS.ReadableStream).on('data', (d: Buffer) => { stderr += d.toString(); });
    const messages: { data: number; message?: string }[] = [];
    const waiters: (() => void)[] = [];
    let buf = '';
    sync.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let m = /\{[^}]*\}/.exec(buf); m; m = /\{[^}]*\}/.exec(buf)) {
        messages.push(JSON.parse(m[0]) as { data: number; message?: string });
        buf = buf.slice(m.index + m[0].length);
      }
      for (const w of waiters.splice(0)) w();
    });
    let closed = false;
    sync.on('close', () => { closed = true; for (const w of waiters.splice(0)) w(); child.unref(); });
    const next = async (i: number): Promise<{ data: number; message?: string } | null> => {
      while (messages.length <= i && !closed) await new Promise<void>((r) => waiters.push(r));
      return messages[i] ?? null;
    };
    const monitorExited = new Promise<void>((r) => child.once('exit', () => r()));
    return new Promise((resolve, reject) => {
      attachPipe.once('data', () => {
        resolve({
          monitorExited,
          attached: async () => {
            startPipe.end('0');
            const first = await next(0);
            if (!first || first.data < 0) {
              throw new InternalError(`OCI runtime exec failed: ${(first?.message ?? stderr).trim() || 'conmon exited'}`);
            }
            return first.data;
          },
          exited: next(1).then((m) => (m ? m.data : -1)),
        });
      });
      attachPipe.on('error', () => undefined);
      child.on('close', () => reject(new InternalError(`conmon: ${stderr.trim() || 'exited early'}`)));
    });
  }
}

export interface ExecHandle {
  /** Lets the process run (call after connecting to the attach socket); resolves with its pid. */
  attached(): Promise<number>;
  /** The process's exit code (-1 if conmon died without telling). */
  exited: Promise<number>;
  /**
   * conmon itself exited: only then is all of the process's output in the log, because
   * conmon reports the exit code before it drains the last output.
   */
  monitorExited: Promise<void>;
}

function readSyncPid(child: ReturnType<typeof spawn>): Promise<number> {
  let stderr = '';
  (child.stdio[2] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => { stderr += d.toString(); });
  (child.stdio[4] as NodeJS.WritableStream).end('0');
  const sync = child.stdio[3] as Readable;
  // conmon's launching process exits at once (double fork); fd3 stays open in the monitor.
  const early = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`conmon: ${e.message}`));
    sync.on('close', () => resolve(`conmon: ${stderr.trim() || 'exited before the container was created'}`));
  });
  return readSyncMessage(sync, early, () => stderr);
}

/**
 * The container pid from conmon's first sync message ({"data": pid} or a negative data with
 * the runtime's message). `early` settles with a message if conmon goes away before it.
 */
function readSyncMessage(sync: Readable, early: Promise<string>, stderr: () => string = () => ''): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    sync.on('data', (d: Buffer) => {
      if (done) return;
      buf += d.toString();
      const m = /\{[^}]*\}/.exec(buf);
      if (!m) return;
      done = true;
      const msg = JSON.parse(m[0]) as { data: number; message?: string };
      if (msg.data < 0) reject(new InternalError(cleanRuntimeMessage(msg.message ?? stderr())));
      else resolve(msg.data);
    });
    // Keep reading after the pid so conmon never blocks on a full pipe.
    sync.resume();
    sync.on('error', () => undefined);
    void early.then((message) => {
      if (done) return;
      done = true;
      reject(new InternalError(message));
    });
  });
}

/** The runtime's message as Docker shows it: "OCI runtime create failed: …". */
function cleanRuntimeMessage(msg: string): string {
  return `OCI runtime create failed: ${msg.trim().replace(/\s+/g, ' ')}`;
}
