// ImageService: the image operations behind /images/* (import, list, inspect, tag, remove).
// It owns the image store and uses the layer store; it learns which images containers use
// through the ImageUsage interface it declares (the container module implements it).
import type { Readable } from 'node:stream';
import { ConflictError, InvalidArgumentError, goArch, shortId, type Logger } from '../lib/index.ts';
import { normalizeReference, parseReference, type ImageConfig } from '../oci/index.ts';
import { join } from 'node:path';
import { chainIdsOf, type LayerStore } from '../layer/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageInspect, ImageSummary, ImageDeleteItem } from '../api/types/index.ts';
import { ImageStore, type ImageRecord } from './image-store.ts';
import { applyChanges } from './apply-changes.ts';
import { filterImages } from './image-filters.ts';
import { importSourceUrl, openImportUrl } from './import-url.ts';
import type { ProgressSink } from '../distribution/index.ts';

export interface ImageUsage {
  /** Ids of the containers (any state) created from this image. */
  containersUsing(imageId: string): string[];
  /** Top chainIDs that containers' read-write layers sit on (kept by layer GC). */
  layersInUse(): string[];
  /** Whether a container is running (or paused); absent: every user counts as running. */
  isRunning?(containerId: string): boolean;
}

export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes?: string[];
  message?: string;
  platform?: { os?: string; architecture?: string };
  /** Where the tarball came from (a URL), for the history comment; '-' for the request body. */
  source?: string;
}

export class ImageService {
  readonly store: ImageStore;
  #usage: ImageUsage = { containersUsing: () => [], layersInUse: () => [] };

  constructor(dataRoot: string, private readonly layers: LayerStore, private readonly events: EventBus, private readonly log: Logger) {
    this.store = new ImageStore(dataRoot, log);
  }

  async init(): Promise<void> {
    await this.layers.init();
    await this.store.init();
  }

  setUsage(usage: ImageUsage): void {
    this.#usage = usage;
  }

  resolve(ref: string): ImageRecord {
    return this.store.resolve(ref);
  }

  /** POST /images/create?fromSrc=- : a rootfs tarball becomes a one-layer image. */
  async importTar(input: Readable, opts: ImportOptions): Promise<ImageRecord> {
    let ref: string | undefined;
    if (opts.repo) {
      try {
        ref = normalizeReference(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo);
      } catch (err) {
        throw new InvalidArgumentError(`invalid reference format: ${opts.repo}`, { cause: err });
      }
    }
    const runtimeConfig = applyChanges({}, opts.changes ?? []);
    // The lease keeps the new layer from a concurrent rmi's gc until the image names it.
    const lease = this.layers.lease();
    try {
      const layer = await this.layers.applyTar(null, input);
      const created = new Date().toISOString();
      const config: ImageConfig = {
        architecture: opts.platform?.architecture || goArch(),
        os: opts.platform?.os || 'linux',
        config: runtimeConfig,
        created,
        rootfs: { type: 'layers', diff_ids: [layer.diffId] },
        history: [{ created, created_by: '', comment: opts.message || `Imported from ${opts.source || '-'}` }],
      };
      if (opts.message) config.comment = opts.message;
      const rec = await this.store.put(config);
      if (ref) await this.store.tag(rec.id, ref);
      this.events.publish('image', 'import', rec.id, ref ? { name: ref } : {});
      return rec;
    } finally {
      lease.release();
    }
  }

  /**
   * POST /images/create?fromSrc=<url>: downloads the tarball (progress as dockerd draws it)
   * and imports it through `importer` (the caller may wrap importTar, e.g. to keep the blob).
   */
  async importFromUrl(fromSrc: string, opts: ImportOptions, progress: ProgressSink,
    importer: (input: Readable, o: ImportOptions) => Promise<ImageRecord> = (i, o) => this.importTar(i, o)): Promise<ImageRecord> {
    const u = importSourceUrl(fromSrc);
    const body = await openImportUrl(u, progress);
    const rec = await importer(body, { ...opts, source: u.href });
    progress({ status: rec.id });
    return rec;
  }

  /**
   * GET /images/{name}/history: newest first, as Docker lists it. The rows take the ids (and
   * tags) of the image and then of its local parents in turn (moby ImageHistory).
   */
  history(ref: string): { Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }[] {
    const r = this.store.resolve(ref);
    const chain = chainIdsOf(r.config.rootfs.diff_ids);
    let layer = 0;
    const rows = (r.config.history ?? []).map((h) => {
      const size = h.empty_layer ? 0 : (this.layers.get(chain[layer++] ?? '')?.size ?? 0);
      return { Id: '<missing>', Created: Math.floor(Date.parse(h.created ?? '') / 1000) || 0, CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: size, Comment: h.comment ?? '' };
    }).reverse();
    let img: ImageRecord | undefined = r;
    for (const row of rows) {
      if (!img) break;
      row.Id = img.id;
      const tags = this.store.tagsOf(img.id);
      row.Tags = tags.length ? tags : null;
      img = img.parent ? this.store.get(img.parent) : undefined;
    }
    if (rows[0] && rows[0].Tags === null) rows[0].Tags = [];
    return rows;
  }

  /** POST /images/{name}/tag: the reference is checked first, as dockerd does (moby RepoTagReference). */
  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const ref = repoTagReference(repo, tag);
    const rec = this.store.resolve(source);
    const norm = await this.store.tag(rec.id, ref);
    this.events.publish('image', 'tag', rec.id, { name: norm });
  }

  /**
   * GET /images/json. Without `all`, untagged images that are parents of other images
   * (intermediate images of commits) are left out, as Docker does. A reference filter also
   * narrows each image's RepoTags to the matching ones (moby daemon/images/images.go).
   */
  list(all: boolean, filters: Record<string, string[]> = {}): ImageSummary[] {
    const list = this.store.all()
      .filter((r) => all || this.store.tagsOf(r.id).length > 0 || this.store.childrenOf(r.id).length === 0)
      .map((r) => ({
        Id: r.id,
        ParentId: r.parent ?? '',
        RepoTags: this.store.tagsOf(r.id),
        RepoDigests: this.store.digestsOf(r.id),
        Created: Math.floor(Date.parse(r.config.created ?? '') / 1000) || 0,
        Size: r.topChainId ? this.layers.chainSize(r.topChainId) : 0,
        SharedSize: -1,
        Labels: r.config.config?.Labels ?? {},
        Containers: -1,
      })).sort((a, b) => b.Created - a.Created);
    const createdOf = (ref: string): number => Math.floor(Date.parse(this.store.resolve(ref).config.created ?? '') / 1000) || 0;
    return filterImages(list, filters, createdOf);
  }

  /**
   * Every image for GET /system/df, with SharedSize: the bytes of its layers that another
   * image's chain holds too (the CLI's SHARED SIZE; UNIQUE SIZE is Size - SharedSize).
   */
  diskUsage(): ImageSummary[] {
    const users = new Map<string, number>();
    const chains = new Map<string, string[]>();
    for (const r of this.store.all()) {
      const chain: string[] = [];
      for (let cur = r.topChainId; cur; cur = this.layers.get(cur)?.parent ?? null) chain.push(cur);
      chains.set(r.id, chain);
      for (const c of chain) users.set(c, (users.get(c) ?? 0) + 1);
    }
    return this.list(true, {}).map((i) => ({
      ...i,
      SharedSize: (chains.get(i.Id) ?? []).filter((c) => (users.get(c) ?? 0) > 1).reduce((n, c) => n + (this.layers.get(c)?.size ?? 0), 0),
    }));
  }

  inspect(ref: string): ImageInspect {
    const r = this.store.resolve(ref);
    const c = r.config;
    return {
      Id: r.id,
      RepoTags: this.store.tagsOf(r.id),
      RepoDigests: this.store.digestsOf(r.id),
      Parent: r.parent ?? '',
      Comment: c.comment ?? '',
      Created: c.created ?? '',
      DockerVersion: '',
      Author: c.author ?? '',
      Config: { ...(c.config ?? {}) },
      Architecture: c.architecture,
      Os: c.os,
      Size: r.topChainId ? this.layers.chainSize(r.topChainId) : 0,
      GraphDriver: this.layers.graphDriver(r.topChainId),
      RootFS: { Type: 'layers', Layers: c.rootfs.diff_ids },
      Metadata: { LastTagTime: r.lastTagTime || '0001-01-01T00:00:00Z' },
    };
  }

  /** overlay2's GraphDriver.Data for an image: its top layer is the upper dir, the rest lower. */
  #driverData(top: string): Record<string, string> | null {
    let chain: string[];
    try { chain = this.layers.cacheChain(top); } catch { return null; }
    const d = this.layers.driver;
    const data: Record<string, string> = {};
    if (chain.length > 1) data.LowerDir = chain.slice(1).map((c) => d.diffPath(c)).join(':');
    data.MergedDir = d.mergedPath(chain[0]!);
    data.UpperDir = d.diffPath(chain[0]!);
    data.WorkDir = join(d.diffPath(chain[0]!), '..', 'work');
    return data;
  }

  /**
   * DELETE /images/{name} (moby daemon/images/image_delete.go). By name: untag; the image
   * goes with its last tag unless a container or a child image needs it. By id: every tag
   * and the image. A running container's image cannot be deleted even with force; a stopped
   * container's needs force; an image with child images is never deleted. After a delete,
   * untagged parents nobody else needs go too (unless noprune).
   */
  async remove(ref: string, force: boolean, noprune: boolean): Promise<ImageDeleteItem[]> {
    const rec = this.store.resolve(ref);
    const out: ImageDeleteItem[] = [];
    const tags = this.store.tagsOf(rec.id);
    const users = this.#usage.containersUsing(rec.id);
    const running = users.filter((c) => this.#usage.isRunning?.(c) ?? true);
    const byName = !/^(sha256:)?[0-9a-f]{4,64}$/.test(ref) || tags.includes(safeNormalize(ref));
    const short = shortId(rec.id.slice(7));
    if (byName) {
      const norm = safeNormalize(ref);
      if (tags.length === 1 && users.length > 0 && !force) {
        throw new ConflictError(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(users[0]!)} is using its referenced image ${short}`);
      }
      await this.store.untag(norm);
      out.push({ Untagged: norm });
      this.events.publish('image', 'untag', rec.id, { name: norm });
      if (tags.length > 1) return out;
      // The last tag is gone: the image follows unless something still needs it.
      if (running.length > 0 || this.store.childrenOf(rec.id).length > 0 || (users.length > 0 && !force)) return out;
    } else {
      if (this.store.childrenOf(rec.id).length > 0) {
        throw new ConflictError(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`);
      }
      if (running.length > 0) {
        throw new ConflictError(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${shortId(running[0]!)}`);
      }
      if (tags.length > 1 && !force) {
        throw new ConflictError(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      }
      if (users.length > 0 && !force) {
        throw new ConflictError(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${shortId(users[0]!)}`);
      }
      for (const t of tags) {
        await this.store.untag(t);
        out.push({ Untagged: t });
        this.events.publish('image', 'untag', rec.id, { name: t });
      }
    }
    await this.#deleteImage(rec, out, noprune);
    if (!noprune) await this.gcLayers();
    return out;
  }

  /** Deletes an image record, then (prune) its parent when that is untagged, unused and childless. */
  async #deleteImage(rec: ImageRecord, out: ImageDeleteItem[], noprune: boolean): Promise<void> {
    await this.store.delete(rec.id);
    out.push({ Deleted: rec.id });
    this.events.publish('image', 'delete', rec.id, {});
    if (noprune || !rec.parent) return;
    const parent = this.store.get(rec.parent);
    if (!parent || this.store.tagsOf(parent.id).length > 0 || this.store.childrenOf(parent.id).length > 0) return;
    if (this.#usage.containersUsing(parent.id).length > 0) return;
    await this.#deleteImage(parent, out, noprune);
  }

  async gcLayers(): Promise<void> {
    const inUse = this.store.all().map((r) => r.topChainId).filter((x): x is string => x !== null);
    inUse.push(...this.#usage.layersInUse());
    const n = await this.layers.gc(inUse);
    if (n > 0) this.log.debug({ removed: n }, 'layer gc');
  }
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** repo (+ tag) as the tag route takes them, with dockerd's wording for bad input. */
export function repoTagReference(repo: string, tag: string | undefined): string {
  let p;
  try {
    p = parseReference(repo);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message, { cause: err });
  }
  if (tag) {
    if (!TAG.test(tag)) throw new InvalidArgumentError('invalid tag format');
    if (p.digest !== null) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
    return `${p.repository}:${tag}`;
  }
  return repo;
}

function safeNormalize(ref: string): string {
  try { return normalizeReference(ref); } catch { return ref; }
}

