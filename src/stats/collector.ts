// StatsCollector: reads one container's accounting on demand. No background polling: a
// reading costs a handful of reads of in-memory kernel files (cgroupfs, procfs), done
// synchronously because they never block on a disk and a thread-pool round trip per file
// costs more than the read. The last reading per container is kept so a later
// `stream=false` request can report CPU usage over the interval since then.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { readCgroupV1, type ReadText, type V1Dirs } from './cgroup-v1.ts';
import { readCgroupV2 } from './cgroup-v2.ts';
import { parseCgroupMounts, parseNetDev, parseSystemCpuUsage } from './parse.ts';
import type { StatsSample } from './sample.ts';

export interface StatsTarget {
  /** linux.cgroupsPath of the container, e.g. "/berth/<id>". */
  cgroupsPath: string;
  /** Host pid of the container's init (its network namespace is read through it). */
  pid: number;
  /** Shares the host's network namespace: Docker reports no networks then. */
  hostNetwork: boolean;
}

export interface StatsCollectorOptions {
  cgroupVersion: 1 | 2;
  /** Default: read the host's files. Tests pass a reader over fixture files. */
  readText?: ReadText;
  procRoot?: string;
  machineMemory?: number;
  onlineCpus?: number;
  /** /proc/self/mountinfo text (default: read once, on first use). */
  mountinfo?: string;
}

export function readTextSync(path: string): Promise<string | null> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(null);
  }
}

export class StatsCollector {
  readonly onlineCpus: number;
  readonly machineMemory: number;
  readonly #read: ReadText;
  readonly #proc: string;
  #mounts: ReturnType<typeof parseCgroupMounts> | null = null;
  readonly #last = new Map<string, StatsSample>();

  constructor(private readonly o: StatsCollectorOptions) {
    this.#read = o.readText ?? readTextSync;
    this.#proc = o.procRoot ?? '/proc';
    this.onlineCpus = o.onlineCpus ?? cpus().length;
    this.machineMemory = o.machineMemory ?? totalmem();
  }

  async #mountsOf(): Promise<ReturnType<typeof parseCgroupMounts>> {
    if (this.#mounts === null) {
      this.#mounts = parseCgroupMounts(this.o.mountinfo ?? (await this.#read(`${this.#proc}/self/mountinfo`)) ?? '');
    }
    return this.#mounts;
  }

  /** Reads the container's accounting now and remembers it as its latest reading. */
  async sample(key: string, t: StatsTarget): Promise<StatsSample> {
    const mounts = await this.#mountsOf();
    const readAt = Date.now();
    const cgroup = this.o.cgroupVersion === 2 && mounts.v2 !== null
      ? readCgroupV2(`${mounts.v2}${t.cgroupsPath}`, this.#read, this.machineMemory)
      : readCgroupV1(this.#v1Dirs(mounts.v1, t.cgroupsPath), this.#read, this.machineMemory);
    const [base, procStat, netDev] = await Promise.all([
      cgroup,
      this.#read(`${this.#proc}/stat`),
      t.hostNetwork || t.pid <= 0 ? Promise.resolve(null) : this.#read(`${this.#proc}/${t.pid}/net/dev`),
    ]);
    const sample: StatsSample = { ...base, readAt };
    sample.cpu.system_cpu_usage = parseSystemCpuUsage(procStat ?? '');
    if (netDev !== null) {
      const nets = parseNetDev(netDev);
      if (Object.keys(nets).length > 0) sample.networks = nets;
    }
    this.#last.set(key, sample);
    return sample;
  }

  /**
   * The directory of a container's cgroup for one controller (v1), or its cgroup2 directory;
   * null when the controller is not mounted.
   */
  async controllerDir(controller: 'memory' | 'cpu' | 'cpuacct' | 'pids' | 'blkio' | 'cpuset', cgroupsPath: string): Promise<string | null> {
    const mounts = await this.#mountsOf();
    if (this.o.cgroupVersion === 2 && mounts.v2 !== null) return `${mounts.v2}${cgroupsPath}`;
    const m = mounts.v1[controller];
    return m === undefined ? null : `${m}${cgroupsPath}`;
  }

  #v1Dirs(v1: Record<string, string>, path: string): V1Dirs {
    const dirs: V1Dirs = {};
    for (const c of ['memory', 'cpu', 'cpuacct', 'pids', 'blkio'] as const) if (v1[c] !== undefined) dirs[c] = `${v1[c]}${path}`;
    return dirs;
  }

  /** The latest reading of `key` if it is between minAgeMs and maxAgeMs old. */
  previous(key: string, minAgeMs: number, maxAgeMs: number, now = Date.now()): StatsSample | null {
    const s = this.#last.get(key);
    if (s === undefined) return null;
    const age = now - s.readAt;
    return age >= minAgeMs && age <= maxAgeMs ? s : null;
  }

  forget(key: string): void {
    this.#last.delete(key);
  }
}
