// Health checks (moby daemon/health.go): a probe every Interval (StartInterval during the
// start period), run through exec with Timeout; Retries consecutive failures make the
// container unhealthy; failures during StartPeriod do not count. The last 5 results are
// kept in State.Health.Log. A probe never overlaps the previous one.
import { emitContainerEvent, type ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import type { ExecManager } from './exec.ts';

const NS = 1_000_000;
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_START_INTERVAL_MS = 5_000;
export const DEFAULT_RETRIES = 3;
const MAX_LOG = 5;

/** The probe's argv from HEALTHCHECK's Test: ["CMD", …] or ["CMD-SHELL", "…"]. */
export function probeCommand(test: readonly string[] | undefined): string[] | null {
  if (!test || test.length === 0) return null;
  const [kind, ...rest] = test;
  if (kind === 'NONE') return null;
  if (kind === 'CMD') return rest.length ? rest : null;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  return null;
}

export class HealthMonitor {
  #timers = new Map<string, NodeJS.Timeout>();
  constructor(private readonly ctx: ContainerContext, private readonly execs: ExecManager) {}

  /** Starts probing a running container (no-op without a health check). */
  watch(c: Container): void {
    this.unwatch(c.config.id);
    const cmd = probeCommand(c.config.config.Healthcheck?.Test);
    if (!cmd || !c.state.health) return;
    this.#schedule(c, cmd, this.#intervalFor(c));
  }

  unwatch(id: string): void {
    const t = this.#timers.get(id);
    if (t) clearTimeout(t);
    this.#timers.delete(id);
  }

  stopAll(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #inStartPeriod(c: Container): boolean {
    const sp = (c.config.config.Healthcheck?.StartPeriod ?? 0) / NS;
    return sp > 0 && Date.now() - Date.parse(c.state.startedAt) < sp;
  }

  #intervalFor(c: Container): number {
    const hc = c.config.config.Healthcheck ?? {};
    if (this.#inStartPeriod(c) && c.state.health?.status === 'starting') {
      return hc.StartInterval ? hc.StartInterval / NS : (hc.Interval ? hc.Interval / NS : DEFAULT_START_INTERVAL_MS);
    }
    return hc.Interval ? hc.Interval / NS : DEFAULT_INTERVAL_MS;
  }

  #schedule(c: Container, cmd: string[], delay: number): void {
    const t = setTimeout(() => void this.#probe(c, cmd), delay);
    t.unref();
    this.#timers.set(c.config.id, t);
  }

  async #probe(c: Container, cmd: string[]): Promise<void> {
    const id = c.config.id;
    if (!this.#timers.has(id) || c.state.status !== 'running' || !c.state.health) return;
    const hc = c.config.config.Healthcheck ?? {};
    const timeoutMs = hc.Timeout ? hc.Timeout / NS : DEFAULT_TIMEOUT_MS;
    const start = new Date().toISOString();
    let result: { exitCode: number; output: string };
    try {
      result = await this.execs.run(id, cmd, timeoutMs);
    } catch (err) {
      result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    }
    if (!this.#timers.has(id) || c.state.status !== 'running' || !c.state.health) return;
    const h = c.state.health;
    h.log = [...h.log, { Start: start, End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output }].slice(-MAX_LOG);
    const before = h.status;
    if (result.exitCode === 0) {
      h.status = 'healthy';
      h.failingStreak = 0;
    } else if (!this.#inStartPeriod(c)) {
      h.failingStreak += 1;
      if (h.failingStreak >= (hc.Retries || DEFAULT_RETRIES)) h.status = 'unhealthy';
    }
    await this.ctx.store.saveState(c).catch(() => undefined);
    if (h.status !== before) emitContainerEvent(this.ctx, c, `health_status: ${h.status}`);
    this.#schedule(c, cmd, this.#intervalFor(c));
  }
}
