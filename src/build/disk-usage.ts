// The build cache as GET /system/df reports it (BuildCache, moby's types.BuildCache): one
// record per cache entry of the classic builder, its size the step's own layer. A layer an
// image of the image store also holds is Shared (not counted as reclaimable by the CLI);
// nothing is InUse (no build holds cache records open across requests).
import type { LayerStore } from '../layer/index.ts';
import type { ImageService } from '../image/index.ts';
import type { BuildStore } from './build-store.ts';

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

export function buildCacheUsage(store: BuildStore, layers: LayerStore, images: ImageService): BuildCacheRecord[] {
  const imageLayers = new Set<string>();
  for (const r of images.store.all()) {
    for (let cur = r.topChainId; cur; cur = layers.get(cur)?.parent ?? null) imageLayers.add(cur);
  }
  const seen = new Set<string>();
  return store.cacheRecords().map((c) => {
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
  });
}
