// --cache-from for the classic builder (moby daemon/images/cache.go imageCache): a step the
// local cache does not know is looked up in the history of the given local images. An image
// qualifies when the step's parent is a prefix of it (same history entries, same layers)
// and its next history entry was made by the same instruction (same created_by). The step
// then takes that entry and, for a layer step, that layer; at the source's last entry the
// source image itself is the result (so a fully cached build gives the same image id). Pure.
import type { ImageConfig } from '../oci/index.ts';

type History = NonNullable<ImageConfig['history']>[number];

function sameEntry(a: History, b: History): boolean {
  return a.created === b.created && a.created_by === b.created_by && (a.author ?? '') === (b.author ?? '')
    && (a.comment ?? '') === (b.comment ?? '') && Boolean(a.empty_layer) === Boolean(b.empty_layer);
}

/** moby isValidParent: `parent` is `img` up to some step. */
export function isValidParent(img: ImageConfig, parent: ImageConfig): boolean {
  const ih = img.history ?? [];
  const ph = parent.history ?? [];
  const id = img.rootfs?.diff_ids ?? [];
  const pd = parent.rootfs?.diff_ids ?? [];
  if (ih.length === 0) return false;
  if (ph.length === 0 && pd.length === 0) return true;
  if (ph.length >= ih.length || pd.length > id.length) return false;
  for (let i = 0; i < ph.length; i++) if (!sameEntry(ph[i]!, ih[i]!)) return false;
  for (let i = 0; i < pd.length; i++) if (pd[i] !== id[i]) return false;
  return true;
}

export type CacheFromHit =
  /** The step is the source's last: the source image is the step's image. */
  | { kind: 'image'; config: ImageConfig }
  /** A step inside the source: its history entry and (layer steps) its layer. */
  | { kind: 'step'; history: History; diffId: string | null };

/**
 * Looks for the step (its history line and whether it makes a layer) among the sources,
 * on top of `parent`. Returns the first match.
 */
export function probeCacheFrom(sources: readonly ImageConfig[], parent: ImageConfig, createdBy: string, layer: boolean): CacheFromHit | null {
  const n = (parent.history ?? []).length;
  const layers = (parent.rootfs?.diff_ids ?? []).length;
  for (const src of sources) {
    if (!isValidParent(src, parent)) continue;
    const h = (src.history ?? [])[n];
    if (!h || h.created_by !== createdBy || Boolean(h.empty_layer) === layer) continue;
    const diffId = layer ? (src.rootfs?.diff_ids ?? [])[layers] ?? null : null;
    if (layer && diffId === null) continue;
    if ((src.history ?? []).length - 1 === n) return { kind: 'image', config: src };
    return { kind: 'step', history: h, diffId };
  }
  return null;
}

/** The step image a `step` hit restores: the step's config, the source's entry and layer. */
export function restoredConfig(next: ImageConfig, parent: ImageConfig, hit: { history: History; diffId: string | null }): ImageConfig {
  const out = JSON.parse(JSON.stringify(next)) as ImageConfig;
  out.created = hit.history.created ?? out.created;
  out.history = [...(parent.history ?? []), hit.history];
  out.rootfs = { type: 'layers', diff_ids: [...(parent.rootfs?.diff_ids ?? []), ...(hit.diffId ? [hit.diffId] : [])] };
  return out;
}
