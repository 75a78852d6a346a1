// POST /images/prune: dangling images (no tag) by default, every image no container uses
// with dangling=false (docker image prune -a); filters until, label, label!. Reports what
// remove() untagged and deleted, and the layer space freed.
import { InvalidArgumentError, pruneMatcher } from '../lib/index.ts';
import type { ImageDeleteItem } from '../api/types/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageService } from './image-service.ts';

export interface ImagePruneDeps {
  images: ImageService;
  /** true when a container (running or not) uses the image. */
  inUse(imageId: string): boolean;
  /** Bytes the layer store holds (before and after: the difference is reclaimed). */
  layersSize(): Promise<number> | number;
  events: EventBus;
}

export async function pruneImages(d: ImagePruneDeps, filters: Record<string, string[]>): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }> {
  const { dangling: danglingValues = [], ...rest } = filters;
  const dv = (danglingValues[0] ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(dv)) throw new InvalidArgumentError(`invalid filter 'dangling=${danglingValues[0]}'`);
  const onlyDangling = dv === 'true' || dv === '1';
  const match = pruneMatcher(rest);
  const before = await d.layersSize();
  const deleted: ImageDeleteItem[] = [];
  for (const img of d.images.list(true, {})) {
    const tagged = (img.RepoTags ?? []).some((t) => t !== '<none>:<none>');
    if (onlyDangling && tagged) continue;
    if (d.inUse(img.Id) || !match(img.Created * 1000, img.Labels ?? {})) continue;
    try {
      deleted.push(...await d.images.remove(img.Id, true, false));
    } catch { /* in use meanwhile, or gone: skip */ }
  }
  const reclaimed = Math.max(0, before - await d.layersSize());
  d.events.publish('image', 'prune', '', { reclaimed: String(reclaimed) });
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
}
