// A sample (and the one before it) → Docker's stats JSON (moby api/types/container
// StatsResponse). A stopped container gets Docker's empty answer: name and id, zero times.
import type { ContainerStatsResponse } from './docker-types.ts';
import { emptyBlkio, emptyCpu, type StatsSample } from './sample.ts';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface StatsMeta {
  /** "/name", as Docker reports it. */
  name: string;
  id: string;
  /** Online CPUs of the host (cpu_stats.online_cpus). */
  onlineCpus: number;
}

export function toDockerStats(meta: StatsMeta, cur: StatsSample | null, prev: StatsSample | null): ContainerStatsResponse {
  const out: ContainerStatsResponse = {
    name: meta.name,
    id: meta.id,
    read: cur === null ? ZERO_TIME : new Date(cur.readAt).toISOString(),
    preread: prev === null ? ZERO_TIME : new Date(prev.readAt).toISOString(),
    pids_stats: cur?.pids ?? {},
    blkio_stats: cur?.blkio ?? emptyBlkio(),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cur === null ? emptyCpu() : { ...cur.cpu, online_cpus: meta.onlineCpus },
    precpu_stats: prev === null ? emptyCpu() : { ...prev.cpu, online_cpus: meta.onlineCpus },
    memory_stats: cur?.memory ?? {},
  };
  if (cur?.networks !== undefined) out.networks = cur.networks;
  return out;
}

/** docker CLI's calculateCPUPercentUnix, for `berth stats` and tests. */
export function cpuPercent(s: ContainerStatsResponse): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const online = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** docker CLI's calculateMemUsageUnixNoCache: usage minus inactive file pages. */
export function memoryUsageNoCache(m: ContainerStatsResponse['memory_stats']): number {
  const usage = m.usage ?? 0;
  const v1 = m.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m.stats?.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** docker CLI's calculateBlockIO: bytes read and written over every device. */
export function blockIO(b: ContainerStatsResponse['blkio_stats']): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of b.io_service_bytes_recursive ?? []) {
    const op = e.op.charAt(0).toLowerCase();
    if (op === 'r') read += e.value;
    else if (op === 'w') write += e.value;
  }
  return { read, write };
}

/** docker CLI's calculateNetwork. */
export function networkIO(n: ContainerStatsResponse['networks']): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const v of Object.values(n ?? {})) { rx += v.rx_bytes; tx += v.tx_bytes; }
  return { rx, tx };
}
