// Image records. On-disk layout under <data-root>/image/:
//   images/<id-hex>.json     the image config, byte for byte (id = sha256 of these bytes)
//   images/<id-hex>.meta     {"lastTagTime": …, "parent": …} (mutable, small)
//   references.json          {"busybox:latest": "sha256:<id>"}: familiar name:tag -> id
// Every file is written atomically; the in-memory maps are rebuilt at start and changed
// only after the disk write succeeded.
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, readJsonFile, writeFileAtomic, writeJsonAtomic, InvalidArgumentError, type Logger } from '../lib/index.ts';
import { normalizeReference, parseReference, type ImageConfig } from '../oci/index.ts';
import { chainIdsOf } from '../layer/index.ts';
import { NoSuchImageError } from './errors.ts';

export interface ImageRecord {
  id: string;
  config: ImageConfig;
  /** chainID of the top layer, or null for an image without layers. */
  topChainId: string | null;
  lastTagTime: string;
  /** The local image this one was committed on ('' for none): Docker's Parent. */
  parent?: string;
}

export class ImageStore {
  #images = new Map<string, ImageRecord>();
  #refs = new Map<string, string>();
  readonly #dir: string;
  readonly #refsPath: string;

  constructor(dataRoot: string, private readonly log: Logger) {
    this.#dir = join(dataRoot, 'image', 'images');
    this.#refsPath = join(dataRoot, 'image', 'references.json');
  }

  async init(): Promise<void> {
    await ensureDir(this.#dir);
    for (const name of await readdir(this.#dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const id = `sha256:${name.slice(0, -5)}`;
      try {
        const bytes = await readFile(join(this.#dir, name));
        const meta = await readJsonFile<{ lastTagTime?: string; parent?: string }>(join(this.#dir, `${name.slice(0, -5)}.meta`));
        this.#images.set(id, this.#record(id, bytes, meta?.lastTagTime ?? '', meta?.parent ?? ''));
      } catch (err) {
        this.log.warn({ err, image: id }, 'skipping unreadable image record');
      }
    }
    const refs = (await readJsonFile<Record<string, string>>(this.#refsPath)) ?? {};
    for (const [ref, id] of Object.entries(refs)) if (this.#images.has(id)) this.#refs.set(ref, id);
  }

  #record(id: string, bytes: Buffer, lastTagTime: string, parent = ''): ImageRecord {
    const config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
    const chain = chainIdsOf(config.rootfs?.diff_ids ?? []);
    return { id, config, topChainId: chain.at(-1) ?? null, lastTagTime, parent };
  }

  /**
   * Stores a config (idempotent) and returns the image id. `parent` (a commit's base image)
   * goes into the .meta file first: the record (.json) is what makes the image visible.
   */
  async put(config: ImageConfig, parent = ''): Promise<ImageRecord> {
    const bytes = Buffer.from(JSON.stringify(config));
    const hex = createHash('sha256').update(bytes).digest('hex');
    const id = `sha256:${hex}`;
    const existing = this.#images.get(id);
    if (existing) return existing;
    if (parent) await writeJsonAtomic(join(this.#dir, `${hex}.meta`), { lastTagTime: '', parent });
    await writeFileAtomic(join(this.#dir, `${hex}.json`), bytes);
    const rec = this.#record(id, bytes, '', parent);
    this.#images.set(id, rec);
    return rec;
  }

  /** Stores a config given as bytes (a pulled image): the id is the sha256 of exactly these bytes. */
  async putBytes(bytes: Buffer): Promise<ImageRecord> {
    const hex = createHash('sha256').update(bytes).digest('hex');
    const id = `sha256:${hex}`;
    const existing = this.#images.get(id);
    if (existing) return existing;
    const rec = this.#record(id, bytes, '');
    await writeFileAtomic(join(this.#dir, `${hex}.json`), bytes);
    this.#images.set(id, rec);
    return rec;
  }

  /** The config bytes as stored (for a push: the config blob must keep its digest). */
  async configBytes(id: string): Promise<Buffer> {
    return readFile(join(this.#dir, `${id.slice(7)}.json`));
  }

  /** Records "repo@sha256:…" (RepoDigests) for an image. */
  async addDigestRef(id: string, repository: string, digest: string): Promise<void> {
    const ref = `${repository}@${digest}`;
    if (this.#refs.get(ref) === id) return;
    const next = new Map(this.#refs);
    next.set(ref, id);
    await this.#saveRefs(next);
  }

  all(): ImageRecord[] {
    return [...this.#images.values()];
  }

  get(id: string): ImageRecord | undefined {
    return this.#images.get(id);
  }

  /** The image's name:tag references, sorted (Docker's reference store lists them lexically). */
  tagsOf(id: string): string[] {
    return [...this.#refs].filter(([, v]) => v === id).map(([k]) => k).filter((k) => !k.includes('@')).sort();
  }

  digestsOf(id: string): string[] {
    return [...this.#refs].filter(([, v]) => v === id).map(([k]) => k).filter((k) => k.includes('@')).sort();
  }

  /** Images whose parent is `id` (commit children). */
  childrenOf(id: string): ImageRecord[] {
    return [...this.#images.values()].filter((r) => r.parent === id);
  }

  /** Resolves a name[:tag], a full or short id, or sha256:<id>. */
  resolve(ref: string): ImageRecord {
    const byId = this.#byIdPrefix(ref);
    if (byId) return byId;
    let norm: string;
    try {
      norm = normalizeReference(ref);
    } catch {
      throw new NoSuchImageError(ref);
    }
    const id = this.#refs.get(norm);
    const rec = id === undefined ? undefined : this.#images.get(id);
    // Docker names the normalized reference ("No such image: nosuch:latest"), ids as given.
    if (!rec) throw new NoSuchImageError(ref.startsWith('sha256:') ? ref : norm);
    return rec;
  }

  #byIdPrefix(ref: string): ImageRecord | undefined {
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (!/^[0-9a-f]{4,64}$/.test(hex)) return undefined;
    if (hex.length === 64) return this.#images.get(`sha256:${hex}`);
    const hits = [...this.#images.values()].filter((r) => r.id.startsWith(`sha256:${hex}`));
    return hits.length === 1 ? hits[0] : undefined;
  }

  async tag(id: string, ref: string): Promise<string> {
    let norm: string;
    try {
      const p = parseReference(ref);
      if (p.digest !== null) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
      norm = normalizeReference(ref);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError(`invalid reference format: ${ref}`, { cause: err });
    }
    const next = new Map(this.#refs);
    next.set(norm, id);
    await this.#saveRefs(next);
    const rec = this.#images.get(id);
    if (rec) {
      rec.lastTagTime = new Date().toISOString();
      await writeJsonAtomic(join(this.#dir, `${id.slice(7)}.meta`), { lastTagTime: rec.lastTagTime, ...(rec.parent ? { parent: rec.parent } : {}) }).catch(() => undefined);
    }
    return norm;
  }

  async untag(norm: string): Promise<void> {
    const next = new Map(this.#refs);
    next.delete(norm);
    await this.#saveRefs(next);
  }

  async #saveRefs(next: Map<string, string>): Promise<void> {
    await writeJsonAtomic(this.#refsPath, Object.fromEntries(next));
    this.#refs = next;
  }

  /** Removes the image record (its tags must be gone already). */
  async delete(id: string): Promise<void> {
    const hex = id.slice(7);
    await rm(join(this.#dir, `${hex}.json`), { force: true });
    await rm(join(this.#dir, `${hex}.meta`), { force: true });
    this.#images.delete(id);
  }
}
