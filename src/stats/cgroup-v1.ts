// cgroup v1 reader (PLATFORM.md §2.5): each controller has its own hierarchy, and the
// container's cgroup is <mount of controller><cgroupsPath>. What is read and how it maps to
// Docker's JSON follows moby daemon/stats_unix.go statsV1 over containerd's cgroups v1 stats.
import type { BlkioStats, MemoryStats } from './docker-types.ts';
import { CLOCK_TICKS, parseBlkioV1, parseFlatKeyed, parseNumberList, parseSingle } from './parse.ts';
import { emptyBlkio, type StatsSample } from './sample.ts';

export type ReadText = (path: string) => Promise<string | null>;

/** Directories of the container's cgroup per controller (absent when not mounted). */
export interface V1Dirs { memory?: string; cpu?: string; cpuacct?: string; pids?: string; blkio?: string }

/** The memory.stat keys Docker reports for cgroup v1 (containerd's MemoryStat fields). */
const V1_MEMORY_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit',
  'hierarchical_memsw_limit', 'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty',
  'total_writeback', 'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon',
  'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
];

const f = (dir: string | undefined, name: string): string | null => (dir === undefined ? null : `${dir}/${name}`);

export async function readCgroupV1(dirs: V1Dirs, read: ReadText, machineMemory: number): Promise<Omit<StatsSample, 'readAt' | 'networks'>> {
  const get = (p: string | null): Promise<string | null> => (p === null ? Promise.resolve(null) : read(p));
  const [usage, maxUsage, limit, failcnt, memStat, cpuUsage, percpu, cpuacctStat, cpuStat, pidsCur, pidsMax, ioBytes, ioOps] = await Promise.all([
    get(f(dirs.memory, 'memory.usage_in_bytes')),
    get(f(dirs.memory, 'memory.max_usage_in_bytes')),
    get(f(dirs.memory, 'memory.limit_in_bytes')),
    get(f(dirs.memory, 'memory.failcnt')),
    get(f(dirs.memory, 'memory.stat')),
    get(f(dirs.cpuacct, 'cpuacct.usage')),
    get(f(dirs.cpuacct, 'cpuacct.usage_percpu')),
    get(f(dirs.cpuacct, 'cpuacct.stat')),
    get(f(dirs.cpu, 'cpu.stat')),
    get(f(dirs.pids, 'pids.current')),
    get(f(dirs.pids, 'pids.max')),
    get(f(dirs.blkio, 'blkio.throttle.io_service_bytes')),
    get(f(dirs.blkio, 'blkio.throttle.io_serviced')),
  ]);

  const memory: MemoryStats = {};
  if (usage !== null) {
    const raw = parseFlatKeyed(memStat ?? '');
    const stats: Record<string, number> = {};
    for (const k of V1_MEMORY_KEYS) if (raw[k] !== undefined) stats[k] = raw[k]!;
    memory.usage = parseSingle(usage) ?? 0;
    memory.max_usage = parseSingle(maxUsage) ?? 0;
    memory.stats = stats;
    memory.failcnt = parseSingle(failcnt) ?? 0;
    // No limit reads as a huge number: Docker reports the machine's memory then.
    const lim = parseSingle(limit) ?? 0;
    memory.limit = machineMemory > 0 && lim > machineMemory ? machineMemory : lim;
  }

  const acct = parseFlatKeyed(cpuacctStat ?? '');
  const throttle = parseFlatKeyed(cpuStat ?? '');
  const percpuUsage = percpu === null ? undefined : parseNumberList(percpu);
  const cpu = {
    cpu_usage: {
      total_usage: parseSingle(cpuUsage) ?? 0,
      ...(percpuUsage !== undefined && percpuUsage.length > 0 ? { percpu_usage: percpuUsage } : {}),
      usage_in_kernelmode: ((acct.system ?? 0) * 1e9) / CLOCK_TICKS,
      usage_in_usermode: ((acct.user ?? 0) * 1e9) / CLOCK_TICKS,
    },
    throttling_data: {
      periods: throttle.nr_periods ?? 0, throttled_periods: throttle.nr_throttled ?? 0, throttled_time: throttle.throttled_time ?? 0,
    },
  };

  const blkio: BlkioStats = emptyBlkio();
  if (ioBytes !== null) blkio.io_service_bytes_recursive = parseBlkioV1(ioBytes);
  if (ioOps !== null) blkio.io_serviced_recursive = parseBlkioV1(ioOps);

  const pids: { current?: number; limit?: number } = {};
  const current = parseSingle(pidsCur);
  if (current !== null) pids.current = current;
  const max = parseSingle(pidsMax);
  if (max !== null && max > 0) pids.limit = max;
  return { cpu, memory, blkio, pids };
}
