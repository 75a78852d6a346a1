// cgroup v2 reader: one directory per container, <cgroup2 mount><cgroupsPath>. Mapping as
// moby daemon/stats_unix.go statsV2: cpu.stat in µs → ns, no per-CPU usage, memory.current
// as usage with every memory.stat key, no max_usage/failcnt, io.stat as read/write entries.
import type { BlkioStats, MemoryStats } from './docker-types.ts';
import type { ReadText } from './cgroup-v1.ts';
import { parseFlatKeyed, parseIoStatV2, parseSingle } from './parse.ts';
import { emptyBlkio, type StatsSample } from './sample.ts';

export async function readCgroupV2(dir: string, read: ReadText, machineMemory: number): Promise<Omit<StatsSample, 'readAt' | 'networks'>> {
  const files = ['cpu.stat', 'memory.current', 'memory.max', 'memory.stat', 'pids.current', 'pids.max', 'io.stat'] as const;
  const [cpuStat, memCurrent, memMax, memStat, pidsCur, pidsMax, ioStat] = await Promise.all(files.map((n) => read(`${dir}/${n}`))) as
    [string | null, string | null, string | null, string | null, string | null, string | null, string | null];
  const c = parseFlatKeyed(cpuStat ?? '');
  const cpu = {
    cpu_usage: {
      total_usage: (c.usage_usec ?? 0) * 1000,
      usage_in_kernelmode: (c.system_usec ?? 0) * 1000,
      usage_in_usermode: (c.user_usec ?? 0) * 1000,
    },
    throttling_data: { periods: c.nr_periods ?? 0, throttled_periods: c.nr_throttled ?? 0, throttled_time: (c.throttled_usec ?? 0) * 1000 },
  };
  const memory: MemoryStats = {};
  if (memCurrent !== null) {
    memory.usage = parseSingle(memCurrent) ?? 0;
    memory.stats = parseFlatKeyed(memStat ?? '');
    const lim = parseSingle(memMax);
    memory.limit = lim === null || (machineMemory > 0 && lim > machineMemory) ? machineMemory : lim;
  }
  const blkio: BlkioStats = emptyBlkio();
  if (ioStat !== null) {
    const io = parseIoStatV2(ioStat);
    blkio.io_service_bytes_recursive = io.bytes;
    blkio.io_serviced_recursive = io.ios;
  }
  const pids: { current?: number; limit?: number } = {};
  const current = parseSingle(pidsCur);
  if (current !== null) pids.current = current;
  const max = parseSingle(pidsMax);
  if (max !== null && max > 0) pids.limit = max;
  return { cpu, memory, blkio, pids };
}
