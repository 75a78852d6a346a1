// Layer store: read-only image layers keyed by chainID, plus one read-write layer per
// container. Records live under <data-root>/layer/sha256/<chainID-hex>/ with the files
// diff-id, parent, size, cache-id; each record is written into a temp dir and renamed in
// whole, so a crash leaves either a complete record or none. The files themselves live in
// the graph driver under the cache-id (graph-driver.ts: overlay2, vfs or btrfs). Layers are never deleted while an image or a
// container refers to them: gc() takes the set of chainIDs still in use.
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ensureDir, newId, FULL_ID_RE, InvalidArgumentError, KeyedMutex, NotFoundError, type Logger } from '../lib/index.ts';
import { Overlay2Driver } from './overlay2.ts';
import { VfsDriver, BtrfsDriver } from './snapshot-driver.ts';
import type { DriverName, GraphDriver } from './graph-driver.ts';
import { chainIdOf } from './chain-id.ts';
import { shiftOwners, type IdShift } from './id-shift.ts';
import { chown } from 'node:fs/promises';
import { diffUpperDir } from './diff-upper.ts';
import { overlayChanges, type LayerChange } from './changes.ts';
import { convertWhiteouts, extractLayerTar, linkStagedParents, stageLayerTar, type StagedLayer } from './staged-layer.ts';
import type { ApplyResult } from './tar-worker.ts';
import { dirContentSize } from './dir-size.ts';
import { TarSplitWriter } from './tar-split.ts';
import { exportLayerTar, SPLIT_FILE, type LayerTar } from './layer-export.ts';

export interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
  cacheId: string;
}

/** A dir's diff (LayerStore.diffDir): its diffID, Docker's size and the recorded tar. */
export interface DirDiff { diffId: string; size: number; splitPath: string }

export class LayerStore {
  readonly driver: GraphDriver;
  #records = new Map<string, LayerRecord>();
  readonly #registering = new KeyedMutex();
  readonly #recordRoot: string;
  /** Open leases: the chainIDs registered while each was open, kept by gc until it ends. */
  readonly #leases = new Set<Set<string>>();

  /**
   * `idShift`: the host uid/gid of container root under --userns-remap; unpacked layers and
   * the top of each container layer are owned by it, shifted.
   */
  constructor(dataRoot: string, private readonly log: Logger, private readonly idShift: IdShift | null = null, driver: DriverName = 'overlay2', mountRoot: string | null = null) {
    this.#recordRoot = join(dataRoot, 'layer', 'sha256');
    const root = join(dataRoot, driver);
    this.driver = driver === 'vfs' ? new VfsDriver(root) : driver === 'btrfs' ? new BtrfsDriver(root) : new Overlay2Driver(root, mountRoot);
  }

  async init(): Promise<void> {
    await ensureDir(this.#recordRoot);
    await this.driver.init();
    const orphans: string[] = [];
    for (const name of await readdir(this.#recordRoot)) {
      if (name.includes('.tmp')) {
        // A record being written or deleted when the daemon died: its layer dir goes too
        // (below, unless a complete record names the same dir).
        const cacheId = (await readFile(join(this.#recordRoot, name, 'cache-id'), 'utf8').catch(() => '')).trim();
        if (/^[0-9a-f]{64}$/.test(cacheId)) orphans.push(cacheId);
        await rm(join(this.#recordRoot, name), { recursive: true, force: true });
        continue;
      }
      const dir = join(this.#recordRoot, name);
      try {
        const [diffId, parent, size, cacheId] = await Promise.all(
          ['diff-id', 'parent', 'size', 'cache-id'].map((f) => readFile(join(dir, f), 'utf8').catch(() => '')),
        );
        this.#records.set(`sha256:${name}`, {
          chainId: `sha256:${name}`, diffId: diffId!.trim(), parent: parent!.trim() || null,
          size: Number(size) || 0, cacheId: cacheId!.trim(),
        });
      } catch (err) {
        this.log.warn({ err, layer: name }, 'skipping unreadable layer record');
      }
    }
    // In-flight layers (import, commit, pull) have no record until they are complete: the
    // driver's init() swept its staging, removeOrphans() (at container-service start) takes
    // any other dir without a record. A record that was being deleted takes its dir here.
    const registered = this.cacheIds();
    for (const id of orphans) if (!registered.has(id)) await this.driver.remove(id);
    if (orphans.length > 0) this.log.info({ orphans: orphans.length }, 'removed layer directories of interrupted work');
  }

  /**
   * Opens a lease: every layer registered while it is open survives gc() until release()
   * (an import or commit whose image record is not written yet; containerd's leases).
   */
  lease(): { release(): void } {
    const held = new Set<string>();
    this.#leases.add(held);
    return { release: () => { this.#leases.delete(held); } };
  }

  get(chainId: string): LayerRecord | undefined {
    return this.#records.get(chainId);
  }

  /** The cache ids of a layer and its parents, nearest first. */
  cacheChain(chainId: string): string[] {
    const out: string[] = [];
    let cur: string | null = chainId;
    while (cur !== null) {
      const rec = this.#records.get(cur);
      if (!rec) throw new InvalidArgumentError(`layer ${cur} does not exist`);
      out.push(rec.cacheId);
      cur = rec.parent;
    }
    return out;
  }

  /**
   * Applies a layer tarball (plain or gzip) on top of `parent` and registers it. The diffID
   * is the sha256 of the uncompressed tar, computed while it streams into GNU tar.
   */
  async applyTar(parent: string | null, input: Readable): Promise<LayerRecord> {
    const parents = parent === null ? [] : this.cacheChain(parent);
    const cacheId = newId();
    // Extracted into an empty dir, then put on its parent by the driver (a snapshot driver
    // applies it onto a copy: symlinks of the parent are never followed by tar).
    const target = await this.driver.createStaged(cacheId);
    let diffId: string;
    let size: number;
    const splitPath = this.#splitTmpPath();
    try {
      const source = await sniffGzip(input);
      let r: ApplyResult;
      try {
        r = await extractLayerTar(target, source.stream, { splitPath, compression: source.gzip ? 'gzip' : null });
      } catch (err) {
        // A broken gzip stream is bad input, not a daemon failure.
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('Z_')) throw new InvalidArgumentError(`invalid layer tar: gzip: ${(err as Error).message}`, { cause: err });
        throw err;
      }
      diffId = r.diffId;
      // The tar-split recorder saw every name: no whiteout entry, no `find` over the layer.
      if (r.whiteouts > 0) await convertWhiteouts(target);
      if (this.idShift !== null) await shiftOwners(target, this.idShift);
      // Docker's layer size: the bytes of its files (not of the tar).
      size = await dirContentSize(target);
    } catch (err) {
      await rm(splitPath, { force: true });
      await this.driver.discardStaged(cacheId);
      throw err;
    }
    const chainId = chainIdOf(parent, diffId);
    const existing = this.#records.get(chainId);
    if (existing) {
      await rm(splitPath, { force: true });
      await this.driver.discardStaged(cacheId);
      return existing;
    }
    await this.driver.commitStaged(cacheId, parents);
    const rec: LayerRecord = { chainId, diffId, parent, size, cacheId };
    await this.#writeRecord(rec, splitPath);
    return rec;
  }

  /**
   * Registers a directory in overlay format (a stopped container's upper dir, or files a
   * build step laid out) as a new layer on `parent`. The diffID comes from diffing the dir
   * (diff-upper.ts, streamed, nothing kept); the dir itself is renamed into the driver, so
   * it must be on the same filesystem and is gone afterwards. A layer with the same chainID
   * already present is reused and the dir deleted.
   */
  async registerDir(parent: string | null, dir: string, diffed?: DirDiff): Promise<LayerRecord> {
    const { diffId, size, splitPath } = diffed ?? await this.diffDir(dir);
    const chainId = chainIdOf(parent, diffId);
    // Two builds (or stages) that made the same layer at once: one registers it, the other reuses it.
    return this.#registering.run(chainId, () => this.#registerDirLocked(parent, dir, chainId, diffId, size, splitPath));
  }

  /**
   * Diffs a dir in overlay format for registerDir (its tar recorded, nothing else kept),
   * leaving out `exclude` (relative paths). A commit diffs the container's upper dir while
   * it copies it, and registers the copy with this diff.
   */
  async diffDir(dir: string, exclude?: ReadonlySet<string>): Promise<DirDiff> {
    // The layer's size is its files' bytes (Docker's DiffSize: a RUN that changed nothing is 0 B).
    const split = new TarSplitWriter(this.#splitTmpPath());
    try {
      const stats = await diffUpperDir(dir, split.sink(), this.idShift, exclude);
      return { diffId: stats.diffId, size: stats.contentSize, splitPath: split.path };
    } catch (err) {
      await split.abort();
      throw err;
    }
  }

  /** Drops a diffDir result that will not be registered. */
  async discardDiff(d: DirDiff): Promise<void> {
    await rm(d.splitPath, { force: true });
  }

  async #registerDirLocked(parent: string | null, dir: string, chainId: string, diffId: string, size: number, splitPath: string): Promise<LayerRecord> {
    const existing = this.#records.get(chainId);
    if (existing) {
      await rm(splitPath, { force: true });
      await rm(dir, { recursive: true, force: true });
      return existing;
    }
    const parents = parent === null ? [] : this.cacheChain(parent);
    const cacheId = newId();
    try {
      await this.driver.createFromUpper(cacheId, parents, dir);
    } catch (err) {
      await rm(splitPath, { force: true });
      throw err;
    }
    const rec: LayerRecord = { chainId, diffId, parent, size, cacheId };
    await this.#writeRecord(rec, splitPath);
    return rec;
  }

  /**
   * Extracts a layer (a tar, or gzip with `compression`) into its own directory, not yet
   * registered (loads, parallel pulls). `hashInput`: also the digest of the bytes as given;
   * `noCrc`: the caller checks both digests (staged-layer.ts StageOptions).
   */
  async stage(source: Readable | AsyncIterable<Buffer>, opts: { signal?: AbortSignal; compression?: 'gzip' | null; hashInput?: boolean; noCrc?: boolean } = {}): Promise<StagedLayer> {
    return stageLayerTar(this.driver, source, { ...opts, splitPath: this.#splitTmpPath() });
  }

  /**
   * A second staged copy of a registered layer's tar (its exact bytes, rebuilt from its
   * tar-split record and files, streamed), for the same diffID on another parent: one blob
   * named on two parent chains gives two layers, two chainIDs, two directories.
   */
  async restage(chainId: string, signal?: AbortSignal): Promise<StagedLayer> {
    const tar = await this.exportTar(chainId);
    const s = await this.stage(tar.open(), { signal });
    if (s.diffId !== tar.diffId) {
      await this.discardStaged(s);
      throw new InvalidArgumentError(`layer ${chainId} could not be copied: its tar is ${s.diffId}, not ${tar.diffId}`);
    }
    return s;
  }

  /** Registers a staged layer on top of `parent` (which must be registered already). */
  async commitStaged(parent: string | null, staged: StagedLayer): Promise<LayerRecord> {
    const chainId = chainIdOf(parent, staged.diffId);
    const existing = this.#records.get(chainId);
    if (existing) {
      await this.discardStaged(staged);
      return existing;
    }
    await linkStagedParents(this.driver, staged.cacheId, parent === null ? [] : this.cacheChain(parent));
    const rec: LayerRecord = { chainId, diffId: staged.diffId, parent, size: staged.size, cacheId: staged.cacheId };
    await this.#writeRecord(rec, staged.splitPath);
    return rec;
  }

  /** Drops a staged layer that will not be committed. */
  async discardStaged(staged: StagedLayer): Promise<void> {
    if (staged.splitPath) await rm(staged.splitPath, { force: true });
    await this.driver.discardStaged(staged.cacheId);
  }

  /**
   * The layer's tar, byte for byte as it was applied (its sha256 is the diffID): rebuilt
   * from the tar-split record kept when it was applied. Layers without one (registered
   * before berth kept them) are re-tarred from their files when that gives the same diffID
   * (`regenerate`), else this throws NotFoundError. The stream fails if the bytes differ.
   */
  async exportTar(chainId: string, opts: { regenerate?: boolean } = {}): Promise<LayerTar> {
    const rec = this.#records.get(chainId);
    if (!rec) throw new NotFoundError(`layer ${chainId} does not exist`);
    const dir = join(this.#recordRoot, rec.chainId.slice('sha256:'.length));
    return exportLayerTar(rec.diffId, join(dir, SPLIT_FILE), this.driver.diffPath(rec.cacheId), opts.regenerate ?? true);
  }

  /** Whether the layer's exact tar can be rebuilt from a tar-split record. */
  async hasTarSplit(chainId: string): Promise<boolean> {
    const rec = this.#records.get(chainId);
    if (!rec) return false;
    return stat(join(this.#recordRoot, rec.chainId.slice('sha256:'.length), SPLIT_FILE)).then(() => true, () => false);
  }

  /** Every registered chainID. */
  chainIds(): string[] {
    return [...this.#records.keys()];
  }

  #splitTmpPath(): string {
    return join(this.#recordRoot, `${newId().slice(0, 24)}.split.tmp`);
  }

  async #writeRecord(rec: LayerRecord, splitPath?: string): Promise<void> {
    const hex = rec.chainId.slice('sha256:'.length);
    const tmp = join(this.#recordRoot, `${hex}.tmp`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    await Promise.all([
      writeFile(join(tmp, 'diff-id'), rec.diffId),
      writeFile(join(tmp, 'parent'), rec.parent ?? ''),
      writeFile(join(tmp, 'size'), String(rec.size)),
      writeFile(join(tmp, 'cache-id'), rec.cacheId),
      splitPath ? rename(splitPath, join(tmp, SPLIT_FILE)).catch(() => undefined) : undefined,
    ]);
    await rename(tmp, join(this.#recordRoot, hex));
    this.#records.set(rec.chainId, rec);
    for (const held of this.#leases) held.add(rec.chainId);
  }

  /** Makes a container's read-write layer on top of `parent` (an image's top chainID). */
  async createRW(id: string, parent: string | null): Promise<void> {
    const parents = parent === null ? [] : this.cacheChain(parent);
    await this.driver.create(id, parents, true);
    // The upper dir's root is the merged root's owner: container root must own it to write /.
    if (this.idShift !== null) await chown(this.driver.diffPath(id), this.idShift.uid, this.idShift.gid);
  }

  /**
   * Mounts a container layer made by createRW(id, parent) on the same `parent`. `engineMounts`
   * for a container's root (its runs, cp, export): the mount points of the engine's /etc files
   * are part of it, as Docker's init layer is; a build's view of an image leaves them out.
   */
  async mountRW(id: string, parent: string | null, engineMounts = false): Promise<string> {
    return this.driver.mount(id, parent === null ? [] : this.cacheChain(parent), engineMounts);
  }

  /** Where a container layer is mounted now, or null (export of a running container reads it). */
  mountedRW(id: string): string | null {
    return this.driver.mountedIds().includes(id) ? this.driver.mergedPath(id) : null;
  }

  /** A container layer's changes against its image's top layer `parent` (docker diff). */
  async changesRW(id: string, parent: string | null): Promise<LayerChange[]> {
    if (this.driver.kind === 'overlay') {
      const lowers = parent === null ? [] : this.cacheChain(parent).map((c) => this.driver.diffPath(c));
      return overlayChanges(this.driver.diffPath(id), lowers);
    }
    // vfs/btrfs: a layer dir is the whole tree; the driver's upper dir (an overlay-format diff
    // against the parent) is read against the parent's tree, its one lower.
    const upper = await this.driver.upperDir(id);
    try {
      return await overlayChanges(upper, parent === null ? [] : [this.driver.diffPath(this.cacheChain(parent)[0]!)]);
    } finally {
      await this.driver.releaseUpperDir(id);
    }
  }

  async unmountRW(id: string): Promise<void> {
    await this.driver.unmount(id);
  }

  async removeRW(id: string): Promise<void> {
    await this.driver.unmount(id);
    await this.driver.remove(id);
  }

  async rwExists(id: string): Promise<boolean> {
    return this.driver.exists(id);
  }

  /**
   * A container's changes as an upper dir in overlay format, whatever the driver (commit,
   * build steps, diff): overlay2's upper dir itself, or one the snapshot drivers make by
   * comparing the container's tree with its image's (rebuilt at each call).
   */
  upperDir(id: string): Promise<string> {
    return this.driver.upperDir(id);
  }

  /** Frees the upper dir upperDir(id) made, once read (vfs: it is a copy of the changes). */
  releaseUpperDir(id: string): Promise<void> {
    return this.driver.releaseUpperDir(id);
  }

  /** inspect's GraphDriver: of a container's layer (`rwId`) on `top`, or of the image layer `top`. */
  graphDriver(top: string | null, rwId?: string): { Name: string; Data: Record<string, string> | null } {
    let chain: string[] = [];
    try { chain = top === null ? [] : this.cacheChain(top); } catch { /* a layer gone: no lower dirs */ }
    if (rwId !== undefined) return { Name: this.driver.name, Data: this.driver.metadata(rwId, chain) };
    if (chain.length === 0) return { Name: this.driver.name, Data: null };
    return { Name: this.driver.name, Data: this.driver.metadata(chain[0]!, chain.slice(1)) };
  }

  /** The driver's name and `docker info` DriverStatus. */
  async driverStatus(): Promise<{ name: string; status: [string, string][] | null }> {
    return { name: this.driver.name, status: await this.driver.status().catch(() => null) };
  }

  /**
   * The start-up check: deletes every driver dir that is neither a layer with a record nor a
   * container's layer (a crash between making a dir and recording it, or during rm/rmi).
   */
  async removeOrphans(isContainer: (id: string) => boolean): Promise<string[]> {
    const known = this.cacheIds();
    const removed: string[] = [];
    for (const id of await this.driver.list()) {
      if (known.has(id) || isContainer(id) || !FULL_ID_RE.test(id)) continue;
      await this.driver.unmount(id).catch(() => undefined);
      await this.driver.remove(id);
      removed.push(id);
    }
    if (removed.length > 0) this.log.info({ layers: removed.length }, 'removed orphan layer directories');
    return removed;
  }

  /** Deletes every layer not reachable from `inUse` (top chainIDs of images and containers). */
  async gc(inUse: Iterable<string>): Promise<number> {
    const keep = new Set<string>();
    const leased = [...this.#leases].flatMap((held) => [...held]);
    for (const top of [...inUse, ...leased]) {
      let cur: string | null = top;
      while (cur !== null && !keep.has(cur)) {
        keep.add(cur);
        cur = this.#records.get(cur)?.parent ?? null;
      }
    }
    let removed = 0;
    for (const rec of [...this.#records.values()]) {
      if (keep.has(rec.chainId)) continue;
      const hex = rec.chainId.slice('sha256:'.length);
      // Record first (renamed away), then files: a crash leaves only an unreferenced dir.
      const trash = join(this.#recordRoot, `${hex}.tmp`);
      // The renamed record still names its cache-id: init() removes the dir if we die here.
      await rename(join(this.#recordRoot, hex), trash).catch(() => undefined);
      this.#records.delete(rec.chainId);
      await this.driver.remove(rec.cacheId);
      await rm(trash, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** The cache ids of every image layer (to tell them from containers' read-write layers). */
  cacheIds(): Set<string> {
    return new Set([...this.#records.values()].map((r) => r.cacheId));
  }

  /** Total size of every image layer, each counted once (system df). */
  totalSize(): number {
    let total = 0;
    for (const r of this.#records.values()) total += r.size;
    return total;
  }

  /** Total size of the layers of one chain. */
  chainSize(top: string): number {
    let total = 0;
    let cur: string | null = top;
    while (cur !== null) {
      const rec = this.#records.get(cur);
      if (!rec) break;
      total += rec.size;
      cur = rec.parent;
    }
    return total;
  }
}

/** Peeks at the first bytes to tell gzip (1f 8b) from a plain tar, without consuming them. */
async function sniffGzip(input: Readable): Promise<{ stream: Readable; gzip: boolean }> {
  // A client that hung up (even before we got here) is an error, never a wait forever.
  const hungUp = (): InvalidArgumentError => new InvalidArgumentError('invalid layer tar: the tarball ended early (the client closed the connection)');
  if (input.destroyed && !input.readableEnded) throw hungUp();
  const first: Buffer | null = await new Promise((resolve, reject) => {
    const onReadable = (): void => {
      const chunk = input.read() as Buffer | null;
      if (chunk === null) return;
      cleanup();
      resolve(chunk);
    };
    const onEnd = (): void => { cleanup(); resolve(null); };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    const onClose = (): void => { cleanup(); if (input.readableEnded) resolve(null); else reject(hungUp()); };
    const cleanup = (): void => {
      input.off('readable', onReadable); input.off('end', onEnd); input.off('error', onError); input.off('close', onClose);
    };
    input.on('readable', onReadable);
    input.on('end', onEnd);
    input.on('error', onError);
    input.on('close', onClose);
  });
  if (first === null) throw new InvalidArgumentError('empty layer tar');
  // Not unshift(): when read() took the whole of an already-ended stream, the stream ends
  // with the bytes put back unread (a fast or buffered body lost its data). A fresh stream
  // that starts with the first chunk and then takes the rest is safe either way.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  out.write(first);
  input.on('error', (e) => out.destroy(e));
  input.on('close', () => { if (!input.readableEnded) out.destroy(hungUp()); });
  input.pipe(out);
  return { stream: out, gzip: first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b };
}
