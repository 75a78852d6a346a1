// GET /containers/{id}/stats (moby daemon/stats.go): one reading (stream=false), at once
// without a previous one (one-shot=true), or a reading every second (stream). dockerd
// takes two readings a second apart for stream=false (moby#23188: ~2 s); berth reuses a
// reading taken in the last 5 s, or takes two 250 ms apart, so `docker stats --no-stream`
// still gets a CPU percentage. The window trades latency for accuracy: /proc/stat counts in
// 10 ms ticks, and a container under a CFS quota can use up to one extra quota at a window's
// edge (a 0.5-CPU hog reads as 40–60 % over 250 ms, 50–100 % over 100 ms).
import type { ContainerStatsResponse } from '../../api/types/index.ts';
import { toDockerStats, type StatsCollector, type StatsSample, type StatsTarget } from '../../stats/index.ts';
import type { ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';
import { cgroupsPathOf } from '../cgroups-path.ts';

export interface StatsOptions { stream: boolean; oneShot: boolean }

const INTERVAL_MS = 1000;
const NO_STREAM_WINDOW_MS = 250;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

function targetOf(ctx: ContainerContext, c: Container): StatsTarget | null {
  const s = c.state.status;
  if ((s !== 'running' && s !== 'paused') || c.state.pid <= 0) return null;
  const hc = c.config.hostConfig;
  return { cgroupsPath: cgroupsPathOf(ctx.options.cgroupParent, hc, c.config.id), pid: c.state.pid, hostNetwork: hc.NetworkMode === 'host' };
}

export async function readSample(collector: StatsCollector, ctx: ContainerContext, c: Container): Promise<StatsSample | null> {
  const t = targetOf(ctx, c);
  if (t === null) return null;
  try {
    return await collector.sample(c.config.id, t);
  } catch {
    return null; // exited between the state check and the read
  }
}

export async function* containerStats(
  ctx: ContainerContext, collector: StatsCollector, ref: string, o: StatsOptions, signal: AbortSignal,
): AsyncGenerator<ContainerStatsResponse> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  const meta = (): { name: string; id: string; onlineCpus: number } => ({ name: `/${c.state.name}`, id, onlineCpus: collector.onlineCpus });
  if (!o.stream) {
    if (targetOf(ctx, c) === null) { yield toDockerStats(meta(), null, null); return; }
    if (o.oneShot) { yield toDockerStats(meta(), await readSample(collector, ctx, c), null); return; }
    let prev = collector.previous(id, 100, 5000);
    if (prev === null) {
      prev = await readSample(collector, ctx, c);
      await sleep(NO_STREAM_WINDOW_MS, signal);
    }
    const cur = await readSample(collector, ctx, c);
    yield toDockerStats(meta(), cur, cur === null ? null : prev);
    return;
  }
  let prev: StatsSample | null = collector.previous(id, 100, 5000);
  while (!signal.aborted && ctx.store.has(id)) {
    const cur = await readSample(collector, ctx, c);
    yield toDockerStats(meta(), cur, cur === null ? null : prev);
    prev = cur;
    await sleep(INTERVAL_MS, signal);
  }
}
