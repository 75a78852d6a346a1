// stats: container resource accounting (layer L2), read on demand from cgroup v1 or v2 files
// and the container's /proc/<pid>/net/dev, turned into Docker's stats JSON. Vocabulary:
//   StatsSample     one reading, already in Docker's terms (sample.ts)
//   StatsCollector  reads a container's sample; keeps the last one per container
//   toDockerStats   sample + previous sample → ContainerStatsResponse
// The docker CLI's own computations (CPU %, memory without cache, block and network I/O)
// are here too, as the contract clients read these values by (the tests use them; `berth
// stats` has its own copy in cli/format/stats-context.ts, the CLI being unable to import this).
export { StatsCollector, readTextSync, type StatsCollectorOptions, type StatsTarget } from './collector.ts';
export { toDockerStats, cpuPercent, memoryUsageNoCache, blockIO, networkIO, ZERO_TIME, type StatsMeta } from './docker-stats.ts';
export type { StatsSample } from './sample.ts';
export { readCgroupV1, type V1Dirs, type ReadText } from './cgroup-v1.ts';
export { readCgroupV2 } from './cgroup-v2.ts';
export type * from './docker-types.ts';
