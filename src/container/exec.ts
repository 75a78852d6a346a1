// Exec sessions (POST /containers/{id}/exec, /exec/{id}/start|json|resize). Records live in
// memory only, as in Docker: they do not survive a daemon restart. Each run goes through
// conmon's exec mode, so TTYs work and no output is lost (see runtime/conmon.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, newId, ConflictError } from '../lib/index.ts';
import type { ExecCreateRequest, ExecInspect } from '../api/types/index.ts';
import { mergeEnv, resolveUser } from '../specgen/index.ts';
import { AttachConnection, resizeMessage, writeControl, type AttachStream } from '../runtime/index.ts';
import { readLogs } from '../logs/index.ts';
import { emitContainerEvent, runtimeFor, type ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import { NotRunningError, StateConflictError } from './errors.ts';

interface ExecRecord {
  id: string;
  containerId: string;
  req: ExecCreateRequest;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
}

export interface ExecSession {
  tty: boolean;
  onOutput(data: (stream: AttachStream, chunk: Buffer) => void, end: () => void): void;
  writeStdin(chunk: Buffer): void;
  endStdin(): void;
  close(): void;
}

function assertExecutable(c: Container): void {
  if (c.state.status === 'paused') throw new StateConflictError(`Container ${c.config.id} is paused, unpause the container before exec`);
  if (c.state.status !== 'running') throw new NotRunningError(c.config.id);
}

export class ExecManager {
  #execs = new Map<string, ExecRecord>();
  constructor(private readonly ctx: ContainerContext) {}

  create(ref: string, req: ExecCreateRequest): string {
    const c = this.ctx.store.get(ref);
    assertExecutable(c);
    if (!req || !Array.isArray(req.Cmd) || req.Cmd.length === 0) throw new InvalidArgumentError('No exec command specified');
    const id = newId();
    this.#execs.set(id, { id, containerId: c.config.id, req, running: false, started: false, exitCode: null, pid: 0 });
    emitContainerEvent(this.ctx, c, `exec_create: ${req.Cmd.join(' ')}`, { execID: id });
    return id;
  }

  get(id: string): ExecRecord {
    const e = this.#execs.get(id);
    if (!e) throw new NotFoundError(`No such exec instance: ${id}`);
    return e;
  }

  inspect(id: string): ExecInspect {
    const e = this.get(id);
    return {
      ID: e.id, Running: e.running, ExitCode: e.exitCode,
      ProcessConfig: { tty: e.req.Tty ?? false, entrypoint: e.req.Cmd[0]!, arguments: e.req.Cmd.slice(1), privileged: e.req.Privileged ?? false, ...(e.req.User ? { user: e.req.User } : {}) },
      OpenStdin: e.req.AttachStdin ?? false, OpenStderr: e.req.AttachStderr ?? false, OpenStdout: e.req.AttachStdout ?? false,
      CanRemove: false, ContainerID: e.containerId, DetachKeys: e.req.DetachKeys ?? '', Pid: e.pid,
    };
  }

  /** Starts an exec; the session streams its output until it exits. */
  async start(id: string, tty: boolean | undefined): Promise<ExecSession> {
    const e = this.get(id);
    if (e.started) throw new ConflictError(`Error: Exec command ${id} has already run`);
    const c = this.ctx.store.get(e.containerId);
    assertExecutable(c);
    e.started = true;
    const useTty = tty ?? e.req.Tty ?? false;
    const process = await this.#processSpec(c, e.req, useTty);
    const handle = await this.ctx.conmon.exec({
      containerId: c.config.id, execId: id, runtime: runtimeFor(this.ctx, c.state.runtime), process,
      tty: useTty, openStdin: e.req.AttachStdin ?? false,
    });
    // stdin goes through conmon's attach socket. Output is read from the exec's log file
    // instead: conmon may run the process before it accepts our attach connection, and
    // output written before the accept never reaches the socket, but it is always logged.
    const conn = await AttachConnection.connect(this.ctx.conmon.execAttachSocket(id));
    conn.on('error', () => undefined);
    const abort = new AbortController();
    e.running = true;
    emitContainerEvent(this.ctx, c, `exec_start: ${e.req.Cmd.join(' ')}`, { execID: id });
    try {
      e.pid = await handle.attached();
    } catch (err) {
      e.running = false;
      e.exitCode = 126;
      conn.destroy();
      throw err;
    }
    void handle.exited.then((code) => {
      e.running = false;
      e.exitCode = code < 0 ? 126 : code;
      conn.destroy();
      emitContainerEvent(this.ctx, c, 'exec_die', { execID: id, exitCode: String(e.exitCode) });
    });
    let monitorDone = false;
    void handle.monitorExited.then(() => { monitorDone = true; });
    const wantOut = e.req.AttachStdout !== false;
    const wantErr = e.req.AttachStderr !== false;
    const logPath = join(this.ctx.conmon.execDir(e.containerId, id), 'log');
    return {
      tty: useTty,
      onOutput(data, end) {
        void (async () => {
          try {
            const chunks = readLogs(logPath, {
              stdout: true, stderr: true, follow: true, tail: 'all', timestamps: false, multiplex: true,
              // Until conmon itself exits: it logs the last output after reporting the exit code.
              // A short poll: its exit is not a file event, and exec latency matters (health checks).
              isRunning: () => !monitorDone, pollIntervalMs: 15,
            }, abort.signal);
            for await (const chunk of chunks) {
              for (const [stream, payload] of splitFrames(chunk)) {
                if ((stream === 'stdout' && wantOut) || (stream === 'stderr' && wantErr)) data(stream, payload);
              }
            }
          } catch { /* aborted or the log vanished with the container */ }
          end();
        })();
      },
      writeStdin: (chunk) => { if (e.req.AttachStdin) conn.write(chunk); },
      endStdin: () => { if (e.req.AttachStdin) conn.endInput(); },
      close: () => { abort.abort(); conn.destroy(); },
    };
  }

  /** Runs a command to completion and returns its exit code and (bounded) output: health checks. */
  async run(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const id = this.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
    try {
      const session = await this.start(id, false);
      let output = '';
      const done = new Promise<void>((resolve) => session.onOutput((_s, b) => { if (output.length < 4096) output += b.toString(); }, resolve));
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if (await Promise.race([done.then(() => 'done' as const), timer]) === 'timeout') {
        const pid = this.get(id).pid;
        if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        session.close();
        return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
      }
      return { exitCode: this.get(id).exitCode ?? -1, output: output.slice(0, 4096) };
    } finally {
      this.#execs.delete(id);
    }
  }

  async resize(id: string, h: number, w: number): Promise<void> {
    const e = this.get(id);
    if (!e.running) throw new ConflictError(`Exec ${id} is not running`);
    await writeControl(join(this.ctx.conmon.execDir(e.containerId, id), 'ctl'), resizeMessage(h, w));
  }

  idsOf(containerId: string): string[] | null {
    const ids = [...this.#execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
    return ids.length ? ids : null;
  }

  /** Forget the execs of a removed container. */
  dropContainer(containerId: string): void {
    for (const [id, e] of this.#execs) if (e.containerId === containerId) this.#execs.delete(id);
  }

  async #processSpec(c: Container, req: ExecCreateRequest, tty: boolean): Promise<Record<string, unknown>> {
    const bundle = JSON.parse(await readFile(join(this.ctx.conmon.bundleDir(c.config.id), 'config.json'), 'utf8')) as {
      process: Record<string, unknown>; root: { path: string };
    };
    const base = bundle.process;
    const proc: Record<string, unknown> = { ...base, args: req.Cmd, terminal: tty };
    proc.env = mergeEnv((base.env as string[] | undefined) ?? [], req.Env ?? []);
    if (req.WorkingDir) proc.cwd = req.WorkingDir;
    if (req.User) {
      const rootfs = bundle.root.path;
      const [passwd, group] = await Promise.all([
        readFile(join(rootfs, 'etc/passwd'), 'utf8').catch(() => null),
        readFile(join(rootfs, 'etc/group'), 'utf8').catch(() => null),
      ]);
      const u = resolveUser(req.User, passwd, group, []);
      proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    }
    if (tty && req.ConsoleSize) proc.consoleSize = { height: req.ConsoleSize[0], width: req.ConsoleSize[1] };
    delete proc.oomScoreAdj;
    return proc;
  }
}

/** Splits a batch of stdcopy frames (as readLogs yields them) into (stream, payload) pairs. */
export function* splitFrames(batch: Buffer): Generator<[AttachStream, Buffer]> {
  let off = 0;
  while (off + 8 <= batch.length) {
    const len = batch.readUInt32BE(off + 4);
    yield [batch[off] === 2 ? 'stderr' : 'stdout', batch.subarray(off + 8, off + 8 + len)];
    off += 8 + len;
  }
}
