// DELETE /containers/{id}: refuse a running or paused container unless forced (then kill
// it first), then remove the read-write layer and the record, and tell `wait
// condition=removed` waiters.
import { addListener, emitContainerEvent, runtimeFor, type ContainerContext } from '../context.ts';
import { StateConflictError } from '../errors.ts';
import { cancelRestart } from './exit.ts';
import { releaseVolumes } from '../mounts.ts';

export interface RemoveOptions {
  force: boolean;
  volumes: boolean;
}

export async function removeContainer(ctx: ContainerContext, ref: string, o: RemoveOptions): Promise<void> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  if (c.state.status === 'removing') throw new StateConflictError(`removal of container ${id} is already in progress`);
  if (c.state.status === 'running' || c.state.status === 'paused') {
    if (!o.force) {
      const what = c.state.status === 'paused' ? 'paused' : 'running';
      throw new StateConflictError(`cannot remove container "/${c.state.name}": container is ${what}: stop the container before removing or force remove`);
    }
    c.state.stoppedByUser = true;
    const exited = new Promise<void>((resolve) => {
      const off = addListener(ctx.exitListeners, id, () => { off(); resolve(); });
    });
    const runtime = runtimeFor(ctx, c.state.runtime);
    await runtime.kill(id, 9, true);
    if (c.state.status === 'paused') await runtime.resume(id).catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
  }
  await ctx.lock(id, async () => {
    if (!ctx.store.has(id)) return;
    if (c.state.status === 'restarting') await cancelRestart(ctx, c);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      // The exit was not seen in time: clean up by hand so removal never leaves a process.
      const runtime = runtimeFor(ctx, c.state.runtime);
      await runtime.kill(id, 9, true).catch(() => undefined);
      await runtime.delete(id);
    }
    c.state.status = 'removing';
    ctx.exits.untrack(id);
    // The monitor (or the background delete) is removing the runtime state: do not wait for
    // it, only make sure it happened once it is done.
    const runtime = runtimeFor(ctx, c.state.runtime);
    const pending = ctx.runtimeCleanup.get(id);
    if (pending) {
      void pending.then(async () => { if (await runtime.hasState(id)) await runtime.delete(id); }).catch(() => undefined);
    } else if (await runtime.hasState(id)) {
      await runtime.delete(id);
    }
    // Record first: a crash after this leaves only an orphaned layer dir, which the
    // start-up GC removes; never a record whose layer is gone.
    await ctx.store.remove(c);
    await Promise.all([ctx.layers.removeRW(id), ctx.conmon.cleanup(id)]);
    // Anonymous volumes go only with -v (and --rm); named ones never (moby removeMountPoints).
    await releaseVolumes(ctx, id, c.config.mounts ?? [], o.volumes);
  });
  emitContainerEvent(ctx, c, 'destroy');
  for (const l of [...(ctx.removeListeners.get(id) ?? [])]) l();
  ctx.removeListeners.delete(id);
  ctx.exitListeners.delete(id);
}
