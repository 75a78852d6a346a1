// stop, kill, restart, pause, unpause, rename: Docker's transitions and messages
// (moby daemon/stop.go, kill.go, pause.go, unpause.go, rename.go).
import { InvalidArgumentError } from '../../lib/index.ts';
import { parseSignal } from '../../specgen/index.ts';
import { addListener, emitContainerEvent, runtimeFor, type ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';
import { NotRunningError, PausedError, StateConflictError } from '../errors.ts';
import { VALID_NAME } from '../names.ts';
import { cancelRestart } from './exit.ts';
import { runProcess } from './start.ts';

const SIGKILL = 9;

function isRunning(c: Container): boolean {
  return c.state.status === 'running' || c.state.status === 'paused';
}

function exitOf(ctx: ContainerContext, c: Container): Promise<void> {
  return new Promise((resolve) => {
    if (!isRunning(c)) { resolve(); return; }
    const off = addListener(ctx.exitListeners, c.config.id, () => { off(); resolve(); });
  });
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((r) => { const t = setTimeout(() => r('timeout'), ms); t.unref(); });
}

export interface StopOptions {
  signal?: string;
  /** Seconds; -1 waits forever. */
  timeout?: number;
}

/** POST /containers/{id}/stop. Returns false when it was not running (the API answers 304). */
export async function stopContainer(ctx: ContainerContext, ref: string, o: StopOptions): Promise<boolean> {
  const c = ctx.store.get(ref);
  const sig = parseSignal(o.signal || c.config.config.StopSignal || 'SIGTERM');
  const secs = o.timeout ?? c.config.config.StopTimeout ?? ctx.options.stopTimeout;
  if (c.state.status === 'restarting') {
    c.state.stoppedByUser = true;
    await ctx.lock(c.config.id, () => cancelRestart(ctx, c));
    return true;
  }
  if (!isRunning(c)) return false;
  c.state.stoppedByUser = true;
  const exited = exitOf(ctx, c);
  const runtime = runtimeFor(ctx, c.state.runtime);
  await runtime.kill(c.config.id, sig);
  // Docker's stop is a kill with the stop signal, and says so in the event stream.
  emitContainerEvent(ctx, c, 'kill', { signal: String(sig) });
  if (c.state.status === 'paused') await runtime.resume(c.config.id).catch(() => undefined);
  const r = secs < 0 ? await exited.then(() => 'exited' as const) : await Promise.race([exited.then(() => 'exited' as const), timeout(secs * 1000)]);
  if (r === 'timeout') {
    await runtime.kill(c.config.id, SIGKILL, true);
    emitContainerEvent(ctx, c, 'kill', { signal: String(SIGKILL) });
    await exited;
  }
  emitContainerEvent(ctx, c, 'stop');
  return true;
}

/** POST /containers/{id}/kill */
export async function killContainer(ctx: ContainerContext, ref: string, signal: string | undefined): Promise<void> {
  const c = ctx.store.get(ref);
  const sig = parseSignal(signal || 'SIGKILL');
  if (!isRunning(c)) {
    if (c.state.status === 'restarting' && sig === SIGKILL) {
      c.state.stoppedByUser = true;
      await ctx.lock(c.config.id, () => cancelRestart(ctx, c));
      return;
    }
    throw new NotRunningError(c.config.id);
  }
  if (c.state.status === 'paused' && sig !== SIGKILL) throw new PausedError(c.config.id);
  if (sig === SIGKILL) c.state.stoppedByUser = true;
  const runtime = runtimeFor(ctx, c.state.runtime);
  const exited = sig === SIGKILL ? exitOf(ctx, c) : null;
  await runtime.kill(c.config.id, sig, sig === SIGKILL);
  if (c.state.status === 'paused') await runtime.resume(c.config.id).catch(() => undefined);
  emitContainerEvent(ctx, c, 'kill', { signal: String(sig) });
  // Docker's kill returns once a SIGKILLed container is gone, so `kill; rm` works.
  if (exited) await Promise.race([exited, timeout(10_000)]);
}

/** POST /containers/{id}/restart */
export async function restartContainer(ctx: ContainerContext, ref: string, o: StopOptions): Promise<void> {
  const c = ctx.store.get(ref);
  await stopContainer(ctx, c.config.id, o);
  await ctx.lock(c.config.id, async () => {
    if (isRunning(c)) return;
    if (c.state.status === 'restarting') await cancelRestart(ctx, c);
    c.state.stoppedByUser = false;
    await runProcess(ctx, c);
  });
  emitContainerEvent(ctx, c, 'restart');
}

export async function pauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.lock(c.config.id, async () => {
    if (c.state.status === 'paused') throw new StateConflictError(`Container ${c.config.id} is already paused`);
    if (c.state.status !== 'running') throw new NotRunningError(c.config.id);
    await runtimeFor(ctx, c.state.runtime).pause(c.config.id);
    c.state.status = 'paused';
    await ctx.store.saveState(c);
    emitContainerEvent(ctx, c, 'pause');
  });
}

export async function unpauseContainer(ctx: ContainerContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.lock(c.config.id, async () => {
    if (c.state.status !== 'paused') throw new StateConflictError(`Container ${c.config.id} is not paused`);
    await runtimeFor(ctx, c.state.runtime).resume(c.config.id);
    c.state.status = 'running';
    await ctx.store.saveState(c);
    emitContainerEvent(ctx, c, 'unpause');
  });
}

export async function renameContainer(ctx: ContainerContext, ref: string, newName: string): Promise<void> {
  const name = (newName ?? '').replace(/^\//, '');
  if (!name) throw new InvalidArgumentError('Neither old nor new names may be empty');
  if (!VALID_NAME.test(name)) throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const c = ctx.store.get(ref);
  if (c.state.name === name) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
  const old = c.state.name;
  await ctx.lock(c.config.id, () => ctx.store.rename(c, name));
  emitContainerEvent(ctx, c, 'rename', { oldName: `/${old}` });
}
