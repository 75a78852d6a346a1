// What happens when a container's process exits (reported by the exit watcher, or found at
// start-up by reconcile): read the OOM marker, delete the runtime's state (which removes
// the cgroup), unmount the rootfs, record the exit, tell waiters, then apply the restart
// policy or AutoRemove.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { emitContainerEvent, runtimeFor, type ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';
import { nextBackoff, shouldRestart } from '../restart-policy.ts';
import { runProcess } from './start.ts';
import { removeContainer } from './remove.ts';
import { tearDownNetwork } from '../networking.ts';
import { shipSpec } from '../log-shipping.ts';

const restartTimers = new WeakMap<ContainerContext, Map<string, { timer: NodeJS.Timeout; delay: number }>>();
const lastDelay = new Map<string, number>();

function timers(ctx: ContainerContext): Map<string, { timer: NodeJS.Timeout; delay: number }> {
  let m = restartTimers.get(ctx);
  if (!m) { m = new Map(); restartTimers.set(ctx, m); }
  return m;
}

export async function handleExit(ctx: ContainerContext, id: string, exitCode: number): Promise<void> {
  if (!ctx.store.has(id)) return;
  const c = ctx.store.get(id);
  let after: (() => Promise<void>) | null = null;
  await ctx.lock(id, async () => {
    if (c.state.status !== 'running' && c.state.status !== 'paused') return;
    after = await recordExit(ctx, c, exitCode);
  });
  if (after) await (after as () => Promise<void>)();
}

/** Records the exit; returns the follow-up (restart or auto-remove) to run after the lock. */
export async function recordExit(ctx: ContainerContext, c: Container, exitCode: number): Promise<(() => Promise<void>) | null> {
  const id = c.config.id;
  const dir = ctx.store.dir(id);
  const t0 = performance.now();
  // conmon marks an OOM kill beside the bundle; a container started by an older berthd has
  // the marker in its data dir.
  const oomMarked = Promise.any([access(ctx.conmon.oomMarker(id)), access(join(dir, 'oom'))]).then(() => true, () => false);
  const runtime = runtimeFor(ctx, c.state.runtime);
  // conmon runs `runtime delete` itself when it was started by this berthd (its monitor
  // promise is in runtimeCleanup). A container re-adopted after a restart is deleted here,
  // in the background: a later start or remove of it waits for that.
  // When conmon is already gone (it deleted the state, then exited before this ran), the
  // state dir is gone too: no `runtime delete` spawn for nothing.
  if (!ctx.runtimeCleanup.has(id)) {
    const cleanup = runtime.hasState(id).then((has) => (has ? runtime.delete(id) : undefined))
      .catch((err: unknown) => ctx.log.warn({ err, container: id }, 'runtime delete failed'))
      .finally(() => { if (ctx.runtimeCleanup.get(id) === cleanup) ctx.runtimeCleanup.delete(id); });
    ctx.runtimeCleanup.set(id, cleanup);
  }
  // The log driver gets the rest of the output before the exit is reported (as dockerd waits
  // for its log copier), once the capture is final; bounded, so a dead destination cannot stall it.
  const logsShipped = ctx.logShipping.finish(shipSpec(ctx, c))
    .catch((err: unknown) => ctx.log.warn({ err, container: id }, 'log shipping failed'));
  const unmounted = ctx.layers.unmountRW(id).catch((err: unknown) => ctx.log.warn({ err, container: id }, 'unmount failed'));
  await logsShipped;
  const oom = await oomMarked;
  // The namespace and veths go in the background; a new start of this container waits for it.
  tearDownNetwork(ctx, c);
  const startedAt = Date.parse(c.state.startedAt);
  c.state = {
    ...c.state, status: 'exited', pid: 0, exitCode, oomKilled: oom && exitCode === 137,
    finishedAt: new Date().toISOString(),
    health: c.state.health ? { ...c.state.health, status: c.state.health.status === 'starting' ? 'unhealthy' : c.state.health.status } : null,
  };
  ctx.hooks.afterExit(c);
  if (c.state.oomKilled) emitContainerEvent(ctx, c, 'oom');
  // Docker's die carries how long the process ran, in whole seconds (execDuration).
  const execDuration = Number.isFinite(startedAt) ? String(Math.max(0, Math.floor((Date.now() - startedAt) / 1000))) : '0';
  emitContainerEvent(ctx, c, 'die', { exitCode: String(exitCode), execDuration });
  // Waiters hear of the exit before the rootfs is unmounted and the state written: the caller
  // holds the container's lock until both are done, so whatever they do next with this
  // container (start, rm, cp, commit) waits for them. A crash in between is reconciled from
  // conmon's exit file, as any exit berthd did not record.
  for (const l of ctx.exitListeners.get(id) ?? []) l(c);
  await Promise.all([unmounted, ctx.store.saveState(c)]);
  ctx.log.debug({ container: id, ms: Math.round(performance.now() - t0) }, 'exit recorded (ms)');

  const h = c.config.hostConfig;
  if (shouldRestart({ policy: h.RestartPolicy, exitCode, restartCount: c.state.restartCount, stoppedByUser: c.state.stoppedByUser })) {
    const ran = Number.isFinite(startedAt) ? Date.now() - startedAt : 0;
    const delay = nextBackoff(lastDelay.get(id) ?? 0, ran);
    lastDelay.set(id, delay);
    c.state.status = 'restarting';
    await ctx.store.saveState(c);
    return async () => scheduleRestart(ctx, c, delay);
  }
  lastDelay.delete(id);
  if (h.AutoRemove) {
    return async () => {
      await removeContainer(ctx, id, { force: true, volumes: true }).catch((err: unknown) =>
        ctx.log.warn({ err, container: id }, 'auto-remove failed'));
    };
  }
  return null;
}

function scheduleRestart(ctx: ContainerContext, c: Container, delay: number): void {
  const id = c.config.id;
  const t = setTimeout(() => {
    timers(ctx).delete(id);
    void ctx.lock(id, async () => {
      if (!ctx.store.has(id) || c.state.status !== 'restarting') return;
      c.state.restartCount += 1;
      try {
        await runProcess(ctx, c);
        emitContainerEvent(ctx, c, 'restart');
      } catch (err) {
        ctx.log.warn({ err, container: id }, 'restart failed');
        c.state.status = 'exited';
        await ctx.store.saveState(c).catch(() => undefined);
      }
    });
  }, delay);
  t.unref();
  timers(ctx).set(id, { timer: t, delay });
}

/** Cancels a pending restart (stop, rm, kill of a restarting container). */
export async function cancelRestart(ctx: ContainerContext, c: Container): Promise<void> {
  const t = timers(ctx).get(c.config.id);
  if (t) { clearTimeout(t.timer); timers(ctx).delete(c.config.id); }
  lastDelay.delete(c.config.id);
  if (c.state.status === 'restarting') {
    c.state.status = 'exited';
    await ctx.store.saveState(c);
  }
}

export function cancelAllRestarts(ctx: ContainerContext): void {
  for (const t of timers(ctx).values()) clearTimeout(t.timer);
  timers(ctx).clear();
}
