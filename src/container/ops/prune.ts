// POST /containers/prune: removes stopped containers (created, exited, dead) that match the
// filters (until, label, label!), and reports their ids and the space of their read-write
// layers, as moby's ContainersPrune does.
import { pruneMatcher } from '../../lib/index.ts';
import type { ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';
import { removeContainer } from './remove.ts';

export async function pruneContainers(ctx: ContainerContext, filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
  const match = pruneMatcher(filters);
  const victims = ctx.store.all().filter((c: Container) => ['created', 'exited', 'dead'].includes(c.state.status)
    && match(Date.parse(c.config.created), c.config.config.Labels ?? {}));
  const deleted: string[] = [];
  let space = 0;
  for (const c of victims) {
    const size = await ctx.layers.driver.diffSize(c.config.id).catch(() => 0);
    try {
      await removeContainer(ctx, c.config.id, { force: false, volumes: false });
      deleted.push(c.config.id);
      space += size;
    } catch (err) {
      ctx.log.warn({ container: c.config.id, err }, 'prune: could not remove');
    }
  }
  ctx.events.publish('container', 'prune', '', { reclaimed: String(space) });
  return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: space };
}
