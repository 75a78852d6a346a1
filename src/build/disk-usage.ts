// The build cache as GET /system/df reports it (BuildCache, moby's types.BuildCache): one
// record per cache entry of the classic builder, its size the step's own layer. A layer an
// image of the image store also holds is Shared (not counted as reclaimable by the CLI);
// no step record is InUse (no build holds cache records open across requests). RUN
// --mount=type=cache directories follow as BuildKit lists them (type exec.cachemount, InUse
// while a RUN has them mounted).
import type { LayerStore } from '../layer/index.ts';
import type { ImageService } from '../image/index.ts';
import type { BuildStore } from './build-store.ts';
import type { CacheMountUsage } from './run-mounts.ts';

export interface BuildCacheRecord {
  ID: string;
  Parents: string[] | null;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

export function buildCacheUsage(store: BuildStore, layers: LayerStore, images: ImageService, mounts: readonly CacheMountUsage[] = []): BuildCacheRecord[] {
  const imageLayers = new Set<string>();
  for (const r of images.store.all()) {
    for (let cur = r.topChainId; cur; cur = layers.get(cur)?.parent ?? null) imageLayers.add(cur);
  }
  const seen = new Set<string>();
  const cacheMounts = mounts.map((m): BuildCacheRecord => ({
    ID: m.name, Parents: null, Type: 'exec.cachemount', Description: m.description, InUse: m.inUse, Shared: false,
    Size: m.size, CreatedAt: m.created, LastUsedAt: m.lastUsed, UsageCount: m.usageCount,
  }));
  return [...store.cacheRecords().map((c) => {
    const step = store.getImage(c.imageId);
    const top = step?.topChainId ?? null;
    const last = step?.config.history?.at(-1);
    // A step with no layer of its own (ENV, LABEL…) or whose layer another record counted is 0 bytes.
    const own = top !== null && !seen.has(top) && !(last?.empty_layer ?? false);
    if (own) seen.add(top!);
    const at = new Date(c.at).toISOString();
    return {
      ID: c.key, Parents: null, Type: 'regular', Description: last?.created_by ?? '',
      InUse: false, Shared: top !== null && imageLayers.has(top), Size: own ? (layers.get(top!)?.size ?? 0) : 0,
      CreatedAt: at, LastUsedAt: at, UsageCount: 1,
    };
  }), ...cacheMounts];
}
