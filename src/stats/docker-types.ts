// Docker's stats JSON types: the API's own (api/types/stats.ts), re-exported so the readers and
// the stats computations name them from here.
export type {
  CpuUsage, ThrottlingData, CpuStats, MemoryStats, BlkioStatEntry, BlkioStats, NetworkStats, ContainerStatsResponse,
} from '../api/types/index.ts';
