// The OCI runtime CLI (crun by default, runc by option): the few verbs the engine calls
// directly. Creation goes through conmon (conmon.ts); everything else is one process spawn.
// Each runtime keeps its state under <exec-root>/runtime/<name> (--root), apart from any
// other engine's containers on the host.
import { join } from 'node:path';
import { constants } from 'node:os';
import { access, readFile, readlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { writeControl } from './control-fifo.ts';
import { execTool, ExecError } from '../lib/index.ts';

const osSignals = constants.signals as Record<string, number>;

export interface RuntimeBinary {
  name: string;
  path: string;
  /** What berthd's children exec while berthd lives (a sealed copy: sealed-binary.ts); default `path`. */
  launch?: string;
  /** What conmon's exit command execs, which may run after berthd (readonly-binary.ts); default `path`. */
  exitPath?: string;
}

export class OciRuntime {
  readonly root: string;
  constructor(readonly binary: RuntimeBinary, execRoot: string) {
    this.root = join(execRoot, 'runtime', binary.name);
  }

  get name(): string {
    return this.binary.name;
  }

  /** The binary to exec from berthd and from monitors it starts now (not from exit commands). */
  get launchPath(): string {
    return this.binary.launch ?? this.binary.path;
  }

  /** The binary conmon's exit command runs (`runtime delete` at the container's exit). */
  get exitCommandPath(): string {
    return this.binary.exitPath ?? this.binary.path;
  }

  async #run(args: string[], allowFailure = false): Promise<{ code: number; stdout: string; stderr: string }> {
    return execTool(this.launchPath, [`--root=${this.root}`, ...args], { allowFailure });
  }

  /**
   * Starts a created container. For crun this is done in-process, as `crun start` itself does
   * it (crun 1.8 libcrun_container_start): the container's init waits reading
   * <root>/<id>/exec.fifo; writing one byte releases it and removing the FIFO marks it
   * running. That saves a process spawn (5–10 ms) on every start. Any surprise (no FIFO,
   * no reader) falls back to `crun start`, and runc always uses its CLI (its FIFO works the
   * other way round).
   */
  async start(id: string): Promise<void> {
    if (this.binary.name === 'crun' && await this.#releaseExecFifo(id)) return;
    await this.#run(['start', id]);
  }

  async #releaseExecFifo(id: string): Promise<boolean> {
    const fifo = join(this.root, id, 'exec.fifo');
    if (!(await writeControl(fifo, '0'))) return false;
    try { unlinkSync(fifo); } catch { /* crun start would have removed it; nothing depends on it */ }
    return true;
  }


  /** Sends a signal; a container that is already gone is not an error. */
  async kill(id: string, signal: number | string, all = false): Promise<void> {
    if (this.binary.name === 'crun' && await this.#signalDirect(id, signal, all)) return;
    const args = ['kill'];
    if (all) args.push('--all');
    args.push(id, String(signal));
    const r = await this.#run(args, true);
    if (r.code !== 0 && !/not running|does not exist|no such process|container not found|process already finished/i.test(r.stderr)) {
      throw new ExecError(`${this.name} kill`, { ...r, signal: null });
    }
  }

  /** Whether the runtime still keeps state for `id` (a created or stopped, undeleted container). */
  /**
   * Signals the container's init in-process, as `crun kill` does, saving a process spawn on
   * every stop, kill and rm -f. crun's state names the pid and its start time; the signal goes
   * only if /proc still shows that very process (no pid reuse). `all` (every process of the
   * container) is the same as init when init is the container's own pid-namespace init and
   * the signal is SIGKILL (the kernel then kills the whole namespace). Anything else, or any
   * surprise, returns false and the caller uses the CLI.
   */
  async #signalDirect(id: string, signal: number | string, all: boolean): Promise<boolean> {
    const sig = signalOf(signal);
    if (sig === null || (all && sig !== 9 && sig !== 'SIGKILL')) return false;
    try {
      const st = JSON.parse(await readFile(join(this.root, id, 'status'), 'utf8')) as { pid?: number; 'process-start-time'?: number };
      const pid = st.pid;
      if (typeof pid !== 'number' || pid <= 1 || typeof st['process-start-time'] !== 'number') return false;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Field 22 (starttime), counted after the parenthesised command name.
      const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      if (startTime !== st['process-start-time']) return false;
      if (all) {
        const [theirs, ours] = await Promise.all([readlink(`/proc/${pid}/ns/pid`), readlink('/proc/self/ns/pid')]);
        if (theirs === ours) return false;
      }
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  async hasState(id: string): Promise<boolean> {
    return access(join(this.root, id)).then(() => true, () => false);
  }

  async delete(id: string): Promise<void> {
    await this.#run(['delete', '--force', id], true);
  }

  async pause(id: string): Promise<void> {
    await this.#run(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.#run(['resume', id]);
  }

  async state(id: string): Promise<{ status: string; pid: number } | null> {
    const r = await this.#run(['state', id], true);
    if (r.code !== 0) return null;
    const s = JSON.parse(r.stdout) as { status: string; pid: number };
    return { status: s.status, pid: s.pid };
  }

  /** PIDs of the container's processes (for top). */
  async pids(id: string): Promise<number[]> {
    const r = await this.#run(['ps', '--format', 'json', id], true);
    if (r.code !== 0) return [];
    return JSON.parse(r.stdout || '[]') as number[];
  }

  async update(id: string, resourcesPath: string): Promise<void> {
    await this.#run(['update', '-r', resourcesPath, id]);
  }
}

/** A signal for process.kill: a number, or SIG-prefixed upper-case name; null if unsure. */
export function signalOf(signal: number | string): number | NodeJS.Signals | null {
  if (typeof signal === 'number') return Number.isInteger(signal) && signal > 0 && signal < 65 ? signal : null;
  if (/^\d+$/.test(signal)) return signalOf(Number(signal));
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return /^SIG[A-Z0-9]+$/.test(name) && name in osSignals ? name as NodeJS.Signals : null;
}
