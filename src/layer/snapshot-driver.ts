// The snapshot graph drivers: every layer is a whole tree, made from its parent's.
//   vfs   (moby daemon/graphdriver/vfs) a copy, `cp -a --reflink=auto`; any filesystem.
//   btrfs (moby daemon/graphdriver/btrfs) a subvolume snapshot; the data root on btrfs.
// On-disk layout under <root> (= <data-root>/<driver>):
//   dir/<cache-id>/ (vfs) or subvolumes/<cache-id>/ (btrfs)   the layer's tree
//   parents/<cache-id>        the parent's cache id ('' for a base layer): diffs need it
//   staging/<id>              a layer tar being extracted, or a layer being made (…-creating);
//                             renamed into place when complete, all swept at start
//   upper/<cache-id>/         a container's changes in overlay format (upperDir), rebuilt per call
//   trash/                    layers being deleted (renamed here first), swept at start
// A container's root is its layer dir itself: nothing is mounted.
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, execTool, newId } from '../lib/index.ts';
import type { DriverName, GraphDriver } from './graph-driver.ts';
import { applyUpperDir, move } from './upper-apply.ts';
import { diffTrees } from './snapshot-diff.ts';

abstract class SnapshotDriver implements GraphDriver {
  abstract readonly name: DriverName;
  readonly kind = 'snapshot' as const;
  protected abstract readonly layersSub: string;
  constructor(readonly root: string) {}

  /** A new empty tree at `path`. */
  protected abstract makeEmpty(path: string): Promise<void>;
  /** A new tree at `dst` (absent) with the contents of `src`. */
  protected abstract clone(src: string, dst: string): Promise<void>;
  /** Deletes a tree made by makeEmpty/clone (or a plain dir). */
  protected abstract destroy(path: string): Promise<void>;
  abstract status(): Promise<[string, string][] | null>;

  #dir(sub: string, id = ''): string { return join(this.root, sub, id); }

  async init(): Promise<void> {
    await ensureDir(this.root, 0o711);
    await ensureDir(this.#dir(this.layersSub), 0o711);
    for (const sub of ['parents', 'staging', 'upper', 'trash']) await ensureDir(this.#dir(sub));
    // Transient state a crash may have left: half-made layers, staged tars, diffs, deletions.
    for (const sub of ['staging', 'upper', 'trash']) {
      for (const n of await readdir(this.#dir(sub))) {
        // A process the dead daemon started (cp into a layer being made) may still be writing
        // there for a moment: retried once, then left for the next start rather than failing this one.
        const p = this.#dir(sub, n);
        await this.destroy(p).catch(async () => {
          await new Promise((r) => setTimeout(r, 500));
          await this.destroy(p).catch(() => undefined);
        });
      }
    }
    const present = new Set(await this.list());
    for (const n of await readdir(this.#dir('parents'))) if (!present.has(n)) await rm(this.#dir('parents', n), { force: true });
  }

  diffPath(cacheId: string): string { return this.#dir(this.layersSub, cacheId); }
  mergedPath(cacheId: string): string { return this.diffPath(cacheId); }
  async mount(cacheId: string): Promise<string> { return this.diffPath(cacheId); }
  async unmount(_cacheId: string): Promise<void> { /* nothing is mounted */ }
  mountedIds(): string[] { return []; }
  metadata(): Record<string, string> | null { return null; }

  async exists(cacheId: string): Promise<boolean> {
    return stat(this.diffPath(cacheId)).then(() => true, () => false);
  }

  async list(): Promise<string[]> {
    return readdir(this.#dir(this.layersSub)).catch(() => [] as string[]);
  }

  async #parentOf(cacheId: string): Promise<string | null> {
    const p = (await readFile(this.#dir('parents', cacheId), 'utf8').catch(() => '')).trim();
    return p || null;
  }

  /** Makes the layer in staging, then renames it in: a crash never leaves half a layer under its name. */
  async #make(cacheId: string, parentCacheIds: readonly string[], fill?: (tree: string) => Promise<void>): Promise<void> {
    const tmp = this.#dir('staging', `${cacheId}-creating`);
    const parent = parentCacheIds[0] ?? null;
    try {
      if (parent === null) await this.makeEmpty(tmp);
      else await this.clone(this.diffPath(parent), tmp);
      if (fill) await fill(tmp);
      await writeFile(this.#dir('parents', cacheId), parent ?? '');
      await rename(tmp, this.diffPath(cacheId));
    } catch (err) {
      await this.destroy(tmp).catch(() => undefined);
      await rm(this.#dir('parents', cacheId), { force: true });
      throw err;
    }
  }

  create(cacheId: string, parentCacheIds: readonly string[], _mountable: boolean): Promise<void> {
    return this.#make(cacheId, parentCacheIds);
  }

  createFromUpper(cacheId: string, parentCacheIds: readonly string[], upperDir: string): Promise<void> {
    return this.#make(cacheId, parentCacheIds, async (tree) => {
      // Into the new tree first, whole (btrfs: renames between subvolumes fail, and a copy of
      // one entry at a time would split hard links), then applied by renames within it.
      const inside = join(tree, `.berth-upper-${newId().slice(0, 12)}`);
      await move(upperDir, inside);
      await applyUpperDir(inside, tree);
    });
  }

  async createStaged(id: string): Promise<string> {
    const dir = this.#dir('staging', id);
    await mkdir(dir, { mode: 0o755 });
    return dir;
  }

  commitStaged(id: string, parentCacheIds: readonly string[]): Promise<void> {
    return this.createFromUpper(id, parentCacheIds, this.#dir('staging', id));
  }

  async discardStaged(id: string): Promise<void> {
    await rm(this.#dir('staging', id), { recursive: true, force: true });
  }

  async remove(cacheId: string): Promise<void> {
    await rm(this.#dir('upper', cacheId), { recursive: true, force: true });
    const trash = this.#dir('trash', `${cacheId}-${newId().slice(0, 8)}`);
    try {
      await rename(this.diffPath(cacheId), trash);
    } catch {
      await rm(this.#dir('parents', cacheId), { force: true });
      return;
    }
    await rm(this.#dir('parents', cacheId), { force: true });
    // Gone for everyone once renamed; freed in the background, init() sweeps what a crash left.
    void this.destroy(trash).catch(() => undefined);
  }

  async diffSize(cacheId: string): Promise<number> {
    const parent = await this.#parentOf(cacheId);
    return (await diffTrees(parent === null ? null : this.diffPath(parent), this.diffPath(cacheId), null)).size;
  }

  async releaseUpperDir(cacheId: string): Promise<void> {
    await rm(this.#dir('upper', cacheId), { recursive: true, force: true });
  }

  async upperDir(cacheId: string): Promise<string> {
    const out = this.#dir('upper', cacheId);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { mode: 0o755 });
    const parent = await this.#parentOf(cacheId);
    await diffTrees(parent === null ? null : this.diffPath(parent), this.diffPath(cacheId), out);
    return out;
  }
}

export class VfsDriver extends SnapshotDriver {
  readonly name = 'vfs' as const;
  protected readonly layersSub = 'dir';

  protected async makeEmpty(path: string): Promise<void> { await mkdir(path, { mode: 0o755 }); }
  protected async clone(src: string, dst: string): Promise<void> {
    await execTool('cp', ['-a', '--reflink=auto', '--', src, dst]);
  }
  protected async destroy(path: string): Promise<void> { await rm(path, { recursive: true, force: true }); }
  async status(): Promise<[string, string][] | null> { return null; }
}

export class BtrfsDriver extends SnapshotDriver {
  readonly name = 'btrfs' as const;
  protected readonly layersSub = 'subvolumes';
  #version: string | null = null;

  protected async makeEmpty(path: string): Promise<void> {
    await execTool('btrfs', ['subvolume', 'create', path]);
  }
  protected async clone(src: string, dst: string): Promise<void> {
    await execTool('btrfs', ['subvolume', 'snapshot', src, dst]);
  }
  protected async destroy(path: string): Promise<void> {
    if (!(await stat(path).then(() => true, () => false))) return;
    // A subvolume's root is inode 256. One holding subvolumes a container made cannot be
    // deleted as a whole: rm then empties the nested ones first (rmdir deletes an empty subvolume).
    if ((await stat(path)).ino === 256) {
      const r = await execTool('btrfs', ['subvolume', 'delete', path], { allowFailure: true });
      if (r.code === 0) return;
    }
    await rm(path, { recursive: true, force: true });
  }
  async status(): Promise<[string, string][] | null> {
    if (this.#version === null) {
      const r = await execTool('btrfs', ['--version'], { allowFailure: true });
      this.#version = /v?(\d[\w.-]*)/.exec(r.stdout)?.[1] ?? '';
    }
    return this.#version ? [['Build Version', `Btrfs v${this.#version}`]] : [];
  }
}
