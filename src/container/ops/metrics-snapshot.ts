// What /metrics reports per container, read at scrape time: identity labels, state, restarts,
// health, and for running containers one accounting sample (CPU, memory, pids, network and
// block I/O) taken from the same readers as /containers/{id}/stats.
import { blockIO, type StatsCollector } from '../../stats/index.ts';
import type { ContainerContext } from '../context.ts';
import { readSample } from './stats.ts';

export interface ContainerMetrics {
  id: string;
  name: string;
  image: string;
  composeProject: string;
  state: string;
  restarts: number;
  health: string;
  oomKilled: boolean;
  usage: {
    cpuSeconds: number;
    memoryBytes: number;
    memoryLimitBytes: number;
    pids: number;
    blkioReadBytes: number;
    blkioWriteBytes: number;
    networks: Record<string, { rxBytes: number; txBytes: number }>;
  } | null;
}

export async function metricsSnapshot(ctx: ContainerContext, collector: StatsCollector): Promise<ContainerMetrics[]> {
  return Promise.all(ctx.store.all().map(async (c): Promise<ContainerMetrics> => {
    const s = await readSample(collector, ctx, c);
    const labels = c.config.config.Labels ?? {};
    return {
      id: c.config.id,
      name: c.state.name,
      image: c.config.imageRef,
      composeProject: labels['com.docker.compose.project'] ?? '',
      state: c.state.status,
      restarts: c.state.restartCount,
      health: c.state.health?.status ?? 'none',
      oomKilled: c.state.oomKilled,
      usage: s === null ? null : {
        cpuSeconds: s.cpu.cpu_usage.total_usage / 1e9,
        memoryBytes: s.memory.usage ?? 0,
        memoryLimitBytes: s.memory.limit ?? 0,
        pids: s.pids.current ?? 0,
        ...(() => { const b = blockIO(s.blkio); return { blkioReadBytes: b.read, blkioWriteBytes: b.write }; })(),
        networks: Object.fromEntries(Object.entries(s.networks ?? {}).map(([k, n]) => [k, { rxBytes: n.rx_bytes, txBytes: n.tx_bytes }])),
      },
    };
  }));
}
