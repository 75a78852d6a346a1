// ImageService: the image operations behind /images/* (import, list, inspect, tag, remove).
// It owns the image store and uses the layer store; it learns which images containers use
// through the ImageUsage interface it declares (the container module implements it).
import type { Readable } from 'node:stream';
import { ConflictError, InvalidArgumentError, goArch, shortId, type Logger } from '../lib/index.ts';
import { normalizeReference, type ImageConfig } from '../oci/index.ts';
import { chainIdsOf, type LayerStore } from '../layer/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageInspect, ImageSummary, ImageDeleteItem } from '../api/types/index.ts';
import { ImageStore, type ImageRecord } from './image-store.ts';
import { applyChanges } from './apply-changes.ts';
import { filterImages } from './image-filters.ts';

export interface ImageUsage {
  /** Ids of the containers (any state) created from this image. */
  containersUsing(imageId: string): string[];
  /** Top chainIDs that containers' read-write layers sit on (kept by layer GC). */
  layersInUse(): string[];
}

export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes?: string[];
  message?: string;
  platform?: { os?: string; architecture?: string };
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
    const layer = await this.layers.applyTar(null, input);
    const created = new Date().toISOString();
    const config: ImageConfig = {
      architecture: opts.platform?.architecture || goArch(),
      os: opts.platform?.os || 'linux',
      config: runtimeConfig,
      created,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, created_by: '', comment: opts.message || 'Imported from -' }],
    };
    if (opts.message) config.comment = opts.message;
    const rec = await this.store.put(config);
    if (ref) await this.store.tag(rec.id, ref);
    this.events.publish('image', 'import', rec.id, ref ? { name: ref } : {});
    return rec;
  }

  /** GET /images/{name}/history: newest first, as Docker lists it. */
  history(ref: string): { Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }[] {
    const r = this.store.resolve(ref);
    const chain = chainIdsOf(r.config.rootfs.diff_ids);
    let layer = 0;
    const rows = (r.config.history ?? []).map((h) => {
      const size = h.empty_layer ? 0 : (this.layers.get(chain[layer++] ?? '')?.size ?? 0);
      return { Id: '<missing>', Created: Math.floor(Date.parse(h.created ?? '') / 1000) || 0, CreatedBy: h.created_by ?? '', Tags: null as string[] | null, Size: size, Comment: h.comment ?? '' };
    }).reverse();
    if (rows[0]) { rows[0].Id = r.id; rows[0].Tags = this.store.tagsOf(r.id); }
    return rows;
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const rec = this.store.resolve(source);
    const norm = await this.store.tag(rec.id, tag ? `${repo}:${tag}` : repo);
    this.events.publish('image', 'tag', rec.id, { name: norm });
  }

  /** GET /images/json. Every image is a top-level image here (no build parents yet), so `all` changes nothing. */
  list(_all: boolean, filters: Record<string, string[]> = {}): ImageSummary[] {
    const list = this.store.all().map((r) => ({
      Id: r.id,
      ParentId: '',
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

  inspect(ref: string): ImageInspect {
    const r = this.store.resolve(ref);
    const c = r.config;
    return {
      Id: r.id,
      RepoTags: this.store.tagsOf(r.id),
      RepoDigests: this.store.digestsOf(r.id),
      Parent: '',
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

  /** DELETE /images/{name}: untag, and delete when no tag is left (moby daemon/images/image_delete.go). */
  async remove(ref: string, force: boolean, noprune: boolean): Promise<ImageDeleteItem[]> {
    const rec = this.store.resolve(ref);
    const out: ImageDeleteItem[] = [];
    const tags = this.store.tagsOf(rec.id);
    const users = this.#usage.containersUsing(rec.id);
    const byName = !/^(sha256:)?[0-9a-f]{4,64}$/.test(ref) || tags.includes(safeNormalize(ref));
    if (byName) {
      const norm = safeNormalize(ref);
      if (tags.length === 1 && users.length > 0 && !force) {
        throw new ConflictError(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(users[0]!)} is using its referenced image ${shortId(rec.id.slice(7))}`);
      }
      await this.store.untag(norm);
      out.push({ Untagged: norm });
      this.events.publish('image', 'untag', rec.id, { name: norm });
      if (tags.length > 1) return out;
    } else {
      if (users.length > 0 && !force) {
        throw new ConflictError(`conflict: unable to delete ${shortId(rec.id.slice(7))} (cannot be forced) - image is being used by running container ${shortId(users[0]!)}`);
      }
      if (tags.length > 1 && !force) {
        throw new ConflictError(`conflict: unable to delete ${shortId(rec.id.slice(7))} (must be forced) - image is referenced in multiple repositories`);
      }
      for (const t of tags) {
        await this.store.untag(t);
        out.push({ Untagged: t });
      }
    }
    if (users.length > 0) return out; // forced untag of an image in use keeps the image
    await this.store.delete(rec.id);
    out.push({ Deleted: rec.id });
    this.events.publish('image', 'delete', rec.id, {});
    if (!noprune) await this.gcLayers();
    return out;
  }

  async gcLayers(): Promise<void> {
    const inUse = this.store.all().map((r) => r.topChainId).filter((x): x is string => x !== null);
    inUse.push(...this.#usage.layersInUse());
    const n = await this.layers.gc(inUse);
    if (n > 0) this.log.debug({ removed: n }, 'layer gc');
  }
}

function safeNormalize(ref: string): string {
  try { return normalizeReference(ref); } catch { return ref; }
}

