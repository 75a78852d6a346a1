// POST /containers/prune and POST /images/prune (Docker's report shapes; the other prune
// endpoints sit with their resources: networks, volumes, build).
import type { ImageDeleteItem } from '../../types/index.ts';
import type { Route } from '../router.ts';

export interface PruneBackend {
  containers(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  images(filters: Record<string, string[]>): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }>;
}

export function pruneRoutes(b: PruneBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'POST', path: '/containers/prune', handler: async (x) => { x.sendJson(200, await b.containers(parseFilters(x.query.get('filters') ?? undefined))); } },
    { method: 'POST', path: '/images/prune', handler: async (x) => { x.sendJson(200, await b.images(parseFilters(x.query.get('filters') ?? undefined))); } },
  ];
}
