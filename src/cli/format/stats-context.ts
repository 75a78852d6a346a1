// `docker stats` columns (docker/cli cli/command/container/formatter_stats.go and
// stats_helpers.go): one StatsEntry per container computed from the daemon's stats JSON the
// way the docker CLI computes it, and the template context that prints it.
import type { ContainerStatsResponse } from '../../api/types/index.ts';
import { GoStruct } from './go-value.ts';
import { bytesSize, humanSize } from './human-size.ts';
import { truncateId } from './short-text.ts';

export const STATS_HEADER: Record<string, string> = {
  Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

export const DEFAULT_STATS_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export interface StatsEntry {
  /** The container as the user named it (or its id). */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No reading could be had (the CLI prints "--"). */
  isInvalid: boolean;
}

export function emptyEntry(container: string): StatsEntry {
  return {
    container, name: '', id: '', cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0, networkRx: 0,
    networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, isInvalid: false,
  };
}

function cpuPercent(s: ContainerStatsResponse): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const online = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

function memNoCache(m: ContainerStatsResponse['memory_stats']): number {
  const usage = m.usage ?? 0;
  const v1 = m.stats?.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = m.stats?.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** One stats JSON → the entry the table shows (docker's collect loop). */
export function statsEntry(container: string, s: ContainerStatsResponse): StatsEntry {
  const memory = memNoCache(s.memory_stats);
  const limit = s.memory_stats.limit ?? 0;
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op.charAt(0).toLowerCase();
    if (op === 'r') blockRead += e.value;
    else if (op === 'w') blockWrite += e.value;
  }
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) { rx += n.rx_bytes; tx += n.tx_bytes; }
  return {
    container, name: s.name.replace(/^\//, ''), id: s.id, cpuPercentage: cpuPercent(s), memory, memoryLimit: limit,
    memoryPercentage: limit !== 0 ? (memory / limit) * 100 : 0, networkRx: rx, networkTx: tx, blockRead, blockWrite,
    pidsCurrent: s.pids_stats?.current ?? 0, isInvalid: false,
  };
}

export function statsContext(e: StatsEntry, trunc: boolean): GoStruct {
  const pct = (n: number): string => (e.isInvalid ? '--' : `${n.toFixed(2)}%`);
  const io = (a: number, b: number): string => (e.isInvalid ? '--' : `${humanSize(a, 3)} / ${humanSize(b, 3)}`);
  return new GoStruct('formatter.statsContext', {
    Container: () => e.container,
    Name: () => (e.name === '' ? '--' : e.name),
    ID: () => (trunc ? truncateId(e.id) : e.id),
    CPUPerc: () => pct(e.cpuPercentage),
    MemUsage: () => (e.isInvalid ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`),
    MemPerc: () => pct(e.memoryPercentage),
    NetIO: () => io(e.networkRx, e.networkTx),
    BlockIO: () => io(e.blockRead, e.blockWrite),
    PIDs: () => (e.isInvalid ? '--' : String(e.pidsCurrent)),
  });
}

/** formatter NewStatsFormat: "table"/"" → the default table; "json" passes through. */
export function statsFormat(source: string): string {
  if (source === '' || source === 'table') return DEFAULT_STATS_FORMAT;
  return source;
}
