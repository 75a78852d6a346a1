// The build cache, on disk under <data-root>/build/ and kept across daemon restarts:
//   images/<id-hex>.json   the config of every step's image (byte for byte; id = its sha256)
//   cache/<key-hex>        the image id a step produced, for its cache key (cache-key.ts)
// Step images are not in the image store (they do not show in `docker images`); containers
// of RUN steps and `docker run <step id>` find them through resolve(). Their layers stay
// alive through layersInUse() (passed to the image service's layer GC by daemon/wire.ts).
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic, type Logger } from '../lib/index.ts';
import type { ImageConfig } from '../oci/index.ts';
import { chainIdsOf } from '../layer/index.ts';

export interface StepImage {
  id: string;
  config: ImageConfig;
  topChainId: string | null;
}

export class BuildStore {
  #images = new Map<string, StepImage>();
  /** cache key -> the step image id and when the record was made (ms). */
  #cache = new Map<string, { id: string; at: number }>();
  readonly #imagesDir: string;
  readonly #cacheDir: string;
  readonly tmpDir: string;

  constructor(readonly root: string, private readonly log: Logger) {
    this.#imagesDir = join(root, 'images');
    this.#cacheDir = join(root, 'cache');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await ensureDir(this.#imagesDir);
    await ensureDir(this.#cacheDir);
    // Contexts and scratch space of builds a crash interrupted.
    await rm(this.tmpDir, { recursive: true, force: true });
    await ensureDir(this.tmpDir);
    for (const name of await readdir(this.#imagesDir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const bytes = await readFile(join(this.#imagesDir, name));
        this.#add(`sha256:${name.slice(0, -5)}`, bytes);
      } catch (err) {
        this.log.warn({ err, image: name }, 'skipping unreadable build image');
      }
    }
    for (const name of await readdir(this.#cacheDir)) {
      if (name.startsWith('.')) continue;
      const path = join(this.#cacheDir, name);
      const id = (await readFile(path, 'utf8').catch(() => '')).trim();
      const at = (await stat(path).catch(() => null))?.mtimeMs ?? 0;
      if (this.#images.has(id)) this.#cache.set(name, { id, at });
    }
  }

  #add(id: string, bytes: Buffer): StepImage {
    const config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
    const rec = { id, config, topChainId: chainIdsOf(config.rootfs?.diff_ids ?? []).at(-1) ?? null };
    this.#images.set(id, rec);
    return rec;
  }

  /** Stores a step's config (idempotent). The id is computed as the image store computes it. */
  async putImage(config: ImageConfig): Promise<StepImage> {
    const bytes = Buffer.from(JSON.stringify(config));
    const hex = createHash('sha256').update(bytes).digest('hex');
    const id = `sha256:${hex}`;
    const existing = this.#images.get(id);
    if (existing) return existing;
    // Atomic, not synced: a cache entry lost in a crash is only a cache miss (init drops
    // records whose image file is missing or unreadable).
    await writeFileAtomic(join(this.#imagesDir, `${hex}.json`), bytes, { durable: false });
    return this.#add(id, bytes);
  }

  getImage(id: string): StepImage | undefined {
    return this.#images.get(id);
  }

  /** A full id, sha256:<id> or a unique prefix of at least 4 hex digits. */
  resolve(ref: string): StepImage | undefined {
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (!/^[0-9a-f]{4,64}$/.test(hex)) return undefined;
    if (hex.length === 64) return this.#images.get(`sha256:${hex}`);
    const hits = [...this.#images.values()].filter((r) => r.id.startsWith(`sha256:${hex}`));
    return hits.length === 1 ? hits[0] : undefined;
  }

  cacheGet(key: string): StepImage | undefined {
    const rec = this.#cache.get(key);
    return rec === undefined ? undefined : this.#images.get(rec.id);
  }

  async cacheSet(key: string, imageId: string): Promise<void> {
    await writeFileAtomic(join(this.#cacheDir, key), imageId, { durable: false });
    this.#cache.set(key, { id: imageId, at: Date.now() });
  }

  layersInUse(): string[] {
    return [...this.#images.values()].map((r) => r.topChainId).filter((x): x is string => x !== null);
  }

  /** The cache records (key, the step image it names, when made in ms), for `system df`. */
  cacheRecords(): { key: string; imageId: string; at: number }[] {
    return [...this.#cache].map(([key, r]) => ({ key, imageId: r.id, at: r.at }));
  }

  /** Size figures for `system df`: step images and cache records. */
  usage(): { images: number; records: number } {
    return { images: this.#images.size, records: this.#cache.size };
  }

  /**
   * `builder prune`: drops the cache records made before `before` (ms; all when absent), then
   * the step images no remaining record and no `keep` id (images in the image store) needs.
   */
  async prune(keep: ReadonlySet<string> = new Set(), before = Infinity): Promise<string[]> {
    const removed: string[] = [];
    for (const [key, rec] of this.#cache) {
      if (rec.at >= before) continue;
      await rm(join(this.#cacheDir, key), { force: true });
      this.#cache.delete(key);
      removed.push(key);
    }
    const needed = new Set([...keep, ...[...this.#cache.values()].map((r) => r.id)]);
    for (const id of [...this.#images.keys()]) {
      if (needed.has(id)) continue;
      await rm(join(this.#imagesDir, `${id.slice(7)}.json`), { force: true });
      this.#images.delete(id);
    }
    return removed;
  }
}
