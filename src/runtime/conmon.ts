// Launches one conmon per container (PLATFORM.md §1.2, as podman does). conmon double-forks
// and outlives berthd: it owns the container's stdio, writes the k8s-file log, the exit
// code (<exit-dir>/<id> and <persist-dir>/exit) and an `oom` marker, and serves the attach
// socket <socket-dir>/<id>/attach (SOCK_SEQPACKET). The container is 'created' only when
// conmon reports its pid on the sync pipe; only then may `runtime start` run (§1.3).
import { spawn } from 'node:child_process';
import { writeFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, writeFileAtomic } from '../lib/index.ts';
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
  /** Durable per-container dir: conmon writes `exit` and `oom` here. */
  persistDir: string;
  logPath: string;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  logSizeMax?: number;
}

export interface ExecOptions {
  containerId: string;
  execId: string;
  runtime: OciRuntime;
  process: unknown;
  persistDir: string;
  logPath: string;
  tty: boolean;
  openStdin: boolean;
}

export class ConmonLauncher {
  readonly exitDir: string;
  readonly socketDir: string;
  constructor(private readonly paths: ConmonPaths) {
    this.exitDir = join(paths.execRoot, 'exits');
    this.socketDir = join(paths.execRoot, 's');
  }

  async init(): Promise<void> {
    await mkdir(this.exitDir, { recursive: true, mode: 0o700 });
    await mkdir(this.socketDir, { recursive: true, mode: 0o700 });
  }

  bundleDir(id: string): string {
    return join(this.paths.execRoot, 'c', id);
  }

  /** Path of the attach socket: short on purpose (sun_path is 108 bytes). */
  attachSocket(id: string): string {
    return join(this.socketDir, id.slice(0, 12), 'attach');
  }

  ctlPath(id: string): string {
    return join(this.bundleDir(id), 'ctl');
  }

  async create(o: CreateOptions): Promise<{ pid: number }> {
    const bundle = this.bundleDir(o.id);
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(bundle, 'config.json'), JSON.stringify(o.spec), { durable: false });
    await rm(join(this.exitDir, o.id), { force: true });
    await rm(join(o.persistDir, 'exit'), { force: true });
    await rm(join(o.persistDir, 'oom'), { force: true });
    const args = [
      '--api-version', '1',
      '-c', o.id, '-u', o.id.slice(0, 12), '-n', o.name,
      '-r', o.runtime.binary.path, '--runtime-arg', `--root=${o.runtime.root}`,
      '-b', bundle,
      '-p', join(bundle, 'pidfile'),
      '-P', join(bundle, 'conmon.pid'),
      '-0', o.persistDir,
      '-l', `k8s-file:${o.logPath}`,
      '--exit-dir', this.exitDir,
      '--socket-dir-path', this.socketDir,
      '--log-level', 'warning',
    ];
    if (o.logSizeMax && o.logSizeMax > 0) args.push('--log-size-max', String(o.logSizeMax));
    if (o.tty) args.push('-t');
    if (o.openStdin) args.push('-i');
    if (o.openStdin && !o.stdinOnce) args.push('--leave-stdin-open');
    const pid = await this.#launch(args, o.persistDir);
    return { pid };
  }

  /** Runs a process in a running container through conmon's exec mode (attach socket, tty, exit code). */
  async exec(o: ExecOptions): Promise<{ pid: number; exited: Promise<number> }> {
    const bundle = this.bundleDir(o.containerId);
    const dir = join(bundle, 'exec', o.execId.slice(0, 12));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const specPath = join(dir, 'process.json');
    await writeFile(specPath, JSON.stringify(o.process));
    const args = [
      '--api-version', '1',
      '-c', o.containerId, '-u', o.execId.slice(0, 12), '-n', o.execId.slice(0, 12),
      '-r', o.runtime.binary.path, '--runtime-arg', `--root=${o.runtime.root}`,
      '-b', dir,
      '-p', join(dir, 'pidfile'),
      '-0', o.persistDir,
      '-l', `k8s-file:${o.logPath}`,
      '--exit-dir', join(dir),
      '--socket-dir-path', this.socketDir,
      '--log-level', 'warning',
      '--exec', '--exec-process-spec', specPath,
    ];
    if (o.tty) args.push('-t');
    if (o.openStdin) args.push('-i');
    return this.#launchExec(args, o.persistDir);
  }

  #spawn(args: string[], cwd: string, extraFds: number): ReturnType<typeof spawn> {
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'];
    for (let i = 0; i < extraFds; i++) stdio.push('pipe');
    return spawn(this.paths.conmon, args, {
      cwd,
      stdio,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
      detached: true,
    });
  }

  /** Starts conmon and resolves with the container pid from the first sync-pipe message. */
  #launch(args: string[], cwd: string): Promise<number> {
    const child = this.#spawn(args, cwd, 0);
    return readSyncPid(child).finally(() => child.unref());
  }

  #launchExec(args: string[], cwd: string): Promise<{ pid: number; exited: Promise<number> }> {
    const child = this.#spawn(args, cwd, 0);
    return new Promise((resolve, reject) => {
      const sync = child.stdio[3] as NodeJS.ReadableStream;
      let buf = '';
      let pid: number | null = null;
      let resolveExit!: (code: number) => void;
      const exited = new Promise<number>((r) => { resolveExit = r; });
      let stderr = '';
      (child.stdio[2] as NodeJS.ReadableStream).on('data', (d: Buffer) => { stderr += d.toString(); });
      sync.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0 || (buf.trim().endsWith('}') && (nl = buf.length) > 0)) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as { data: number; message?: string };
          if (pid === null) {
            if (msg.data < 0) { reject(new InternalError(cleanRuntimeMessage(msg.message ?? stderr))); return; }
            pid = msg.data;
            resolve({ pid, exited });
          } else {
            resolveExit(msg.data);
          }
        }
      });
      (child.stdio[4] as NodeJS.WritableStream).end('0');
      child.on('close', () => { if (pid === null) reject(new InternalError(`conmon: ${stderr.trim() || 'exited early'}`)); resolveExit(-1); });
    });
  }
}

function readSyncPid(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    const sync = child.stdio[3] as NodeJS.ReadableStream;
    let buf = '';
    let stderr = '';
    let done = false;
    (child.stdio[2] as NodeJS.ReadableStream).on('data', (d: Buffer) => { stderr += d.toString(); });
    sync.on('data', (d: Buffer) => {
      if (done) return;
      buf += d.toString();
      const m = /\{[^}]*\}/.exec(buf);
      if (!m) return;
      done = true;
      const msg = JSON.parse(m[0]) as { data: number; message?: string };
      if (msg.data < 0) reject(new InternalError(cleanRuntimeMessage(msg.message ?? stderr)));
      else resolve(msg.data);
      // Keep reading so conmon never blocks on a full pipe; the fd closes when it exits.
      sync.on('data', () => undefined);
      sync.resume();
    });
    sync.on('error', () => undefined);
    (child.stdio[4] as NodeJS.WritableStream).end('0');
    child.on('error', (e) => { if (!done) { done = true; reject(new InternalError(`conmon: ${e.message}`)); } });
    // conmon's launching process exits at once (double fork); fd3 stays open in the monitor.
    sync.on('close', () => { if (!done) { done = true; reject(new InternalError(`conmon: ${stderr.trim() || 'exited before the container was created'}`)); } });
  });
}

/** The runtime's message as Docker shows it: "OCI runtime create failed: …". */
function cleanRuntimeMessage(msg: string): string {
  return `OCI runtime create failed: ${msg.trim().replace(/\s+/g, ' ')}`;
}
