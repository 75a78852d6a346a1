// Content store: blobs by digest (containerd core/content, simplified). Layout under
// <data-root>/content/:
//   blobs/sha256/<hex>         a blob, renamed into place only after its digest was checked
//   ingest/<random>            blobs being written (swept at start)
//   layers/<diffid-hex>.json   the blobs known to carry a layer: [{digest, mediaType, size}]
// Pulls keep each layer's compressed blob exactly as the registry sent it, so a push of the
// same image sends the same bytes (same digests) without recompressing.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readJsonFile, writeJsonAtomic, InvalidArgumentError } from '../../lib/index.ts';

export interface LayerBlob {
  digest: string;
  mediaType: string;
  size: number;
  /** "host/path" repositories known to hold the blob (cross-repository mounts on push). */
  sources?: string[];
}

/** A blob being written: feed it bytes, then commit (digest checked) or abort. */
export class ContentWriter {
  readonly #hash: Hash = createHash('sha256');
  #size = 0;
  readonly #out: WriteStream;
  #closed: Promise<void>;
  #error: Error | null = null;

  constructor(private readonly store: ContentStore, readonly path: string) {
    this.#out = createWriteStream(path, { highWaterMark: 1 << 20 });
    this.#out.on('error', (e) => { this.#error ??= e; });
    this.#closed = new Promise((resolve, reject) => { this.#out.on('close', resolve); this.#out.on('error', reject); });
    this.#closed.catch(() => undefined);
  }

  get size(): number { return this.#size; }

  /** Writes a chunk; resolves when the file can take more, rejects when the file failed (ENOSPC). */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.#error) return Promise.reject(this.#error);
    this.#hash.update(chunk);
    this.#size += chunk.length;
    if (this.#out.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      const done = (): void => { this.#out.off('drain', done); this.#out.off('close', done); if (this.#error) reject(this.#error); else resolve(); };
      this.#out.on('drain', done);
      this.#out.on('close', done);
    });
  }

  /**
   * Ends the file; checks its size and digest against `expectedSize` / `expected` when given
   * (a mismatch deletes it), syncs it and renames it in under its digest.
   */
  async commit(expected?: string, expectedSize?: number): Promise<string> {
    this.#out.end();
    await this.#closed;
    const digest = `sha256:${this.#hash.digest('hex')}`;
    if (expectedSize !== undefined && expectedSize !== this.#size) {
      await rm(this.path, { force: true });
      throw new InvalidArgumentError(`size mismatch: expected ${expectedSize} bytes, got ${this.#size}`);
    }
    if (expected !== undefined && expected !== digest) {
      await rm(this.path, { force: true });
      throw new InvalidArgumentError(`digest mismatch: expected ${expected}, got ${digest}`);
    }
    const fh = await open(this.path, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(this.path, this.store.blobPath(digest));
    return digest;
  }

  async abort(): Promise<void> {
    this.#out.destroy();
    await this.#closed.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

export class ContentStore {
  readonly root: string;

  constructor(dataRoot: string) {
    this.root = join(dataRoot, 'content');
  }

  async init(): Promise<void> {
    await Promise.all(['blobs/sha256', 'ingest', 'layers'].map((d) => mkdir(join(this.root, d), { recursive: true, mode: 0o700 })));
    for (const n of await readdir(join(this.root, 'ingest'))) await rm(join(this.root, 'ingest', n), { force: true });
  }

  blobPath(digest: string): string {
    const hex = digest.startsWith('sha256:') ? digest.slice(7) : '';
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new InvalidArgumentError(`invalid digest ${digest}`);
    return join(this.root, 'blobs', 'sha256', hex);
  }

  async size(digest: string): Promise<number | null> {
    try { return (await stat(this.blobPath(digest))).size; } catch { return null; }
  }

  reader(digest: string): Readable {
    return createReadStream(this.blobPath(digest), { highWaterMark: 1 << 20 });
  }

  writer(): ContentWriter {
    return new ContentWriter(this, join(this.root, 'ingest', randomBytes(12).toString('hex')));
  }

  async remove(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  /** The blobs recorded for a layer's diffID that are still present. */
  async layerBlobs(diffId: string): Promise<LayerBlob[]> {
    const list = (await readJsonFile<LayerBlob[]>(this.#layerPath(diffId)).catch(() => undefined)) ?? [];
    const present: LayerBlob[] = [];
    for (const b of list) if ((await this.size(b.digest)) === b.size) present.push(b);
    return present;
  }

  /**
   * Every blob recorded for a layer's diffID, whether held here or not: a pull keeps no copy,
   * only which blob (digest, media type, size) the layer had in which repositories, so a
   * push there can skip or mount it as Docker does (its v2 metadata).
   */
  async knownLayerBlobs(diffId: string): Promise<LayerBlob[]> {
    return (await readJsonFile<LayerBlob[]>(this.#layerPath(diffId)).catch(() => undefined)) ?? [];
  }

  async addLayerBlob(diffId: string, blob: LayerBlob): Promise<void> {
    const list = (await readJsonFile<LayerBlob[]>(this.#layerPath(diffId)).catch(() => undefined)) ?? [];
    const old = list.find((b) => b.digest === blob.digest);
    if (old) {
      const add = (blob.sources ?? []).filter((x) => !(old.sources ?? []).includes(x));
      if (add.length === 0) return;
      old.sources = [...(old.sources ?? []), ...add].slice(-8);
    } else {
      list.push(blob);
    }
    await writeJsonAtomic(this.#layerPath(diffId), list, { durable: false });
  }

  /** Deletes the blobs kept for every layer not in `inUse` (diffIDs of the images left). */
  async gcLayers(inUse: ReadonlySet<string>): Promise<number> {
    let n = 0;
    for (const f of await readdir(join(this.root, 'layers'))) {
      if (!/^[0-9a-f]{64}\.json$/.test(f)) continue;
      const diffId = `sha256:${f.slice(0, 64)}`;
      if (inUse.has(diffId)) continue;
      const list = (await readJsonFile<LayerBlob[]>(join(this.root, 'layers', f)).catch(() => undefined)) ?? [];
      // The record goes first: a crash then leaves unreferenced blobs, never a record naming none.
      await rm(join(this.root, 'layers', f), { force: true });
      for (const b of list) await this.remove(b.digest).catch(() => undefined);
      n++;
    }
    return n;
  }

  #layerPath(diffId: string): string {
    const hex = diffId.slice(7);
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new InvalidArgumentError(`invalid diffID ${diffId}`);
    return join(this.root, 'layers', `${hex}.json`);
  }
}
