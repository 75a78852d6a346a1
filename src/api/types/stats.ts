// GET /containers/{id}/stats and POST /containers/{id}/update wire types (moby
// api/types/container stats.go, update.go). JSON names are Docker's exactly: snake_case for
// stats, PascalCase for update.
import type { HostConfig, RestartPolicy } from './container.ts';

export interface CpuUsage {
  total_usage: number;
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface ThrottlingData { periods: number; throttled_periods: number; throttled_time: number }

export interface CpuStats {
  cpu_usage: CpuUsage;
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: ThrottlingData;
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export interface BlkioStatEntry { major: number; minor: number; op: string; value: number }

export interface BlkioStats {
  io_service_bytes_recursive: BlkioStatEntry[] | null;
  io_serviced_recursive: BlkioStatEntry[] | null;
  io_queue_recursive: BlkioStatEntry[] | null;
  io_service_time_recursive: BlkioStatEntry[] | null;
  io_wait_time_recursive: BlkioStatEntry[] | null;
  io_merged_recursive: BlkioStatEntry[] | null;
  io_time_recursive: BlkioStatEntry[] | null;
  sectors_recursive: BlkioStatEntry[] | null;
}

export interface NetworkStats {
  rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number;
  tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number;
}

export interface ContainerStatsResponse {
  name: string;
  id: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: BlkioStats;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  networks?: Record<string, NetworkStats>;
}

/** The resource fields `docker update` may change, plus the restart policy. */
export type UpdateConfig = Pick<HostConfig,
  'CpuShares' | 'Memory' | 'NanoCpus' | 'CpuPeriod' | 'CpuQuota' | 'CpuRealtimePeriod' | 'CpuRealtimeRuntime'
  | 'CpusetCpus' | 'CpusetMems' | 'MemoryReservation' | 'MemorySwap' | 'KernelMemory' | 'PidsLimit'
  | 'BlkioWeight' | 'OomKillDisable' | 'MemorySwappiness'> & { RestartPolicy?: RestartPolicy };

export interface ContainerUpdateResponse { Warnings: string[] }
