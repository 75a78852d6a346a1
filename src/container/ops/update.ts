// POST /containers/{id}/update (moby daemon/update.go): merge the update into the
// container's HostConfig with Docker's checks, apply it to the running container's cgroup
// through `runtime update -r <resources.json>`, then persist it. Nothing is persisted when
// the live update fails, so the record never claims a limit the cgroup does not have.
import { readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InternalError, messageOf } from '../../lib/index.ts';
import type { UpdateConfig } from '../../api/types/index.ts';
import { mergeUpdate, updateResources } from '../../specgen/index.ts';
import { emitContainerEvent, runtimeFor, type ContainerContext } from '../context.ts';
import { StateConflictError } from '../errors.ts';
import { cgroupsPathOf } from '../cgroups-path.ts';
import { validateRestartPolicy } from '../restart-policy.ts';

/** Where a live update finds the container's cgroup files (the stats collector knows the mounts). */
export interface CgroupLocator {
  controllerDir(controller: 'pids', cgroupsPath: string): Promise<string | null>;
}

/** The runtime's message without the command line berth ran. */
function runtimeMessage(err: unknown): string {
  return messageOf(err).replace(/^\/\S+(?: --root=\S+)? update: /, '').replace(/^\/\S+(?: --root=\S+)?: /, '').trim();
}

export async function updateContainer(ctx: ContainerContext, cgroups: CgroupLocator, ref: string, u: UpdateConfig): Promise<{ Warnings: string[] }> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  const warnings = await ctx.lock(id, async () => {
    if (c.state.status === 'removing' || c.state.status === 'dead') {
      throw new StateConflictError(`Cannot update container ${id}: container is marked for removal and cannot be "update"`);
    }
    const { hostConfig, warnings } = mergeUpdate(id, c.config.hostConfig, u ?? {}, ctx.host.resources);
    if (u?.RestartPolicy?.Name) validateRestartPolicy(hostConfig.RestartPolicy, false);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      const file = join(ctx.store.dir(id), `update-${randomBytes(4).toString('hex')}.json`);
      const resources = updateResources(hostConfig);
      // Lifting a pids limit: crun 1.8 writes "-1" to pids.max (EINVAL) where the kernel wants
      // "max", so berth writes that itself (runc would, too).
      const unlimitedPids = resources.pids?.limit === -1;
      if (unlimitedPids) delete resources.pids;
      try {
        await writeFile(file, JSON.stringify(resources));
        await runtimeFor(ctx, c.state.runtime).update(id, file);
        if (unlimitedPids) await liftPidsLimit(cgroups, cgroupsPathOf(ctx.options.cgroupParent, c.config.hostConfig, id));
      } catch (err) {
        throw new InternalError(`Cannot update container ${id}: ${runtimeMessage(err)}`, { cause: err });
      } finally {
        await rm(file, { force: true });
      }
    }
    c.config = { ...c.config, hostConfig };
    await ctx.store.saveConfig(c);
    return warnings;
  });
  emitContainerEvent(ctx, c, 'update');
  return { Warnings: warnings };
}

async function liftPidsLimit(cgroups: CgroupLocator, cgroupsPath: string): Promise<void> {
  const dir = await cgroups.controllerDir('pids', cgroupsPath);
  if (dir === null) return;
  const file = `${dir}/pids.max`;
  const cur = await readFile(file, 'utf8').catch(() => null);
  if (cur !== null && cur.trim() !== 'max') await writeFile(file, 'max');
}
