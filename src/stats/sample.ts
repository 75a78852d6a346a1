// One reading of a container's accounting, already in Docker's terms (the parts of
// ContainerStatsResponse that come from the kernel). Built by the v1 and v2 readers.
import type { BlkioStats, CpuStats, MemoryStats, NetworkStats } from './docker-types.ts';

export interface StatsSample {
  /** When it was read (ms since the epoch). */
  readAt: number;
  cpu: CpuStats;
  memory: MemoryStats;
  blkio: BlkioStats;
  pids: { current?: number; limit?: number };
  networks?: Record<string, NetworkStats>;
}

export function emptyBlkio(): BlkioStats {
  return {
    io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
    io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
  };
}

export function emptyCpu(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}
