// The overlay2 graph driver. On-disk layout under <root> (= <data-root>/overlay2):
//   <cache-id>/diff/          the layer's files (or a container's upper dir)
//   <cache-id>/link           its short name; l/<short> -> ../<cache-id>/diff
//   <cache-id>/lower          "l/AAA:l/BBB" (parents, nearest first); absent for a base layer
//                             and for container layers (their parents come with each mount)
//   <cache-id>/work           only for mountable (container) layers
//   <mount-root>/<cache-id>   a container layer's mount point, on the exec root's tmpfs (or
//                             <cache-id>/merged when there is no mount root, as under userns-remap)
//   <cache-id>/staged         present while a layer tar is extracted before its parents are known
//   init/<uid>-<gid>-<mode>/  the shared lower with the engine's mount points (init-lower.ts)
// Mounts run `mount -t overlay` with cwd = <root> so lowerdir can use the short links.
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile, readdir, rename, lstat, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { execTool, ensureDir } from '../lib/index.ts';
import { newShortLink } from './short-link.ts';
import { detachMount, mountAsync } from './mount-syscall.ts';
import { backingFsName, type GraphDriver } from './graph-driver.ts';
import { ensureInitLower, etcInLayers, initVariant } from './init-lower.ts';

const STAGED_MARK = 'staged';

export class Overlay2Driver implements GraphDriver {
  readonly name = 'overlay2' as const;
  readonly kind = 'overlay' as const;
  /** Cache ids mounted now: unmount spawns nothing for a layer that is not mounted. */
  /** Mounted container layers and where (a berthd before mount roots used <cache-id>/merged). */
  #mounted = new Map<string, string>();
  /** Each layer's short link name (read once: a layer never changes its link). */
  #links = new Map<string, string>();
  /** The init lower (relative to the root) for each lower chain; layers never change. */
  #initLowers = new Map<string, Promise<string | null>>();
  /**
   * `mountRoot`: where container layers are mounted, on a tmpfs (one directory fewer on the data
   * root's disk per container); null keeps the mount point in the layer's own dir.
   */
  constructor(readonly root: string, private readonly mountRoot: string | null = null) {}

  async init(): Promise<void> {
    await ensureDir(join(this.root, 'l'));
    await this.sweep();
    await this.#sweepStaged();
    // Short links whose layer is gone (a crash between making a layer's link and its dir).
    for (const n of await readdir(join(this.root, 'l'))) {
      if (!(await stat(join(this.root, 'l', n)).then(() => true, () => false))) await rm(join(this.root, 'l', n), { force: true });
    }
    const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
    const prefix = this.root + '/';
    const runPrefix = this.mountRoot === null ? null : this.mountRoot + '/';
    for (const line of info.split('\n')) {
      const mp = line.split(' ')[4];
      if (mp?.startsWith(prefix) && mp.endsWith('/merged')) this.#mounted.set(mp.slice(prefix.length, -'/merged'.length), mp);
      else if (runPrefix !== null && mp?.startsWith(runPrefix) && !mp.slice(runPrefix.length).includes('/')) this.#mounted.set(mp.slice(runPrefix.length), mp);
    }
  }

  /** Bytes in a layer's diff dir (a container's changes): `ps -s` SizeRw. */
  async diffSize(cacheId: string): Promise<number> {
    let total = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) total += (await lstat(p).catch(() => null))?.size ?? 0;
      }
    };
    await walk(this.diffPath(cacheId));
    return total;
  }

  /** Makes a layer whose files are the upper dir `upperDir` (renamed in: same filesystem). */
  async createFromUpper(cacheId: string, parentCacheIds: readonly string[], upperDir: string): Promise<void> {
    await this.create(cacheId, parentCacheIds, false);
    const target = this.diffPath(cacheId);
    try {
      await rm(target, { recursive: true, force: true });
      await rename(upperDir, target);
    } catch (err) {
      await this.remove(cacheId);
      throw err;
    }
  }

  /** A layer dir to extract into before its parents are known; marked until committed. */
  async createStaged(id: string): Promise<string> {
    await this.create(id, [], false);
    // A crash mid-pull leaves a marked directory, which init() removes.
    await writeFile(join(this.root, id, STAGED_MARK), '');
    return this.diffPath(id);
  }

  /** Points a staged layer at its parents (nearest first): its `lower` file. */
  async commitStaged(id: string, parentCacheIds: readonly string[]): Promise<void> {
    if (parentCacheIds.length > 0) {
      const links = await Promise.all(parentCacheIds.map((p) => readFile(join(this.root, p, 'link'), 'utf8')));
      await writeFile(join(this.root, id, 'lower'), links.map((l) => `l/${l.trim()}`).join(':'));
    }
    await rm(join(this.root, id, STAGED_MARK), { force: true });
  }

  async discardStaged(id: string): Promise<void> {
    await this.remove(id);
  }

  async #sweepStaged(): Promise<void> {
    for (const id of await this.list()) {
      if (await stat(join(this.root, id, STAGED_MARK)).then(() => true, () => false)) await this.remove(id);
    }
  }

  async exists(cacheId: string): Promise<boolean> {
    return stat(join(this.root, cacheId)).then(() => true, () => false);
  }

  /** The upper dir is the container's changes already. */
  async upperDir(cacheId: string): Promise<string> {
    return this.diffPath(cacheId);
  }

  async releaseUpperDir(_cacheId: string): Promise<void> { /* the upper dir is the layer */ }

  async status(): Promise<[string, string][]> {
    const param = async (n: string): Promise<boolean> => /^[Yy]/.test(await readFile(`/sys/module/overlay/parameters/${n}`, 'utf8').catch(() => 'N'));
    const metacopy = await param('metacopy');
    const redirectDir = await param('redirect_dir');
    const fs = backingFsName((await statfs(this.root)).type);
    // moby overlay2: the diff is read from the upper dir ("native") unless redirect_dir or
    // metacopy make upper dirs incomplete.
    return [['Backing Filesystem', fs], ['Supports d_type', 'true'], ['Using metacopy', String(metacopy)],
      ['Native Overlay Diff', String(!metacopy && !redirectDir)], ['userxattr', 'false']];
  }

  /** inspect's GraphDriver.Data (moby overlay2 GetMetadata). */
  metadata(cacheId: string, parentCacheIds: readonly string[]): Record<string, string> {
    const dir = join(this.root, cacheId);
    const data: Record<string, string> = { MergedDir: this.mergedPath(cacheId), UpperDir: join(dir, 'diff'), WorkDir: join(dir, 'work') };
    if (parentCacheIds.length > 0) data.LowerDir = parentCacheIds.map((p) => this.diffPath(p)).join(':');
    return data;
  }

  mountedIds(): string[] {
    return [...this.#mounted.keys()];
  }

  diffPath(cacheId: string): string {
    return join(this.root, cacheId, 'diff');
  }

  /** Where the layer is mounted now; else Docker's <layer>/merged (what inspect shows for images). */
  mergedPath(cacheId: string): string {
    return this.#mounted.get(cacheId) ?? join(this.root, cacheId, 'merged');
  }

  #linkOf(cacheId: string): Promise<string> {
    const known = this.#links.get(cacheId);
    if (known !== undefined) return Promise.resolve(known);
    return readFile(join(this.root, cacheId, 'link'), 'utf8').then((l) => { this.#links.set(cacheId, l.trim()); return l.trim(); });
  }

  /** Makes the directory of a new layer whose parents are `parentCacheIds` (nearest first). */
  async create(cacheId: string, parentCacheIds: readonly string[], mountable: boolean): Promise<void> {
    const dir = join(this.root, cacheId);
    await mkdir(join(dir, 'diff'), { recursive: true, mode: 0o755 });
    // The short l/ link names a layer in its children's lowerdir lists. A container's
    // read-write layer never is a lower (commit copies its changes into a new layer), so it
    // gets none: two file creates fewer on every container create.
    const link = mountable ? null : newShortLink();
    // Independent steps run together: this is on the create path of every container. A
    // container layer records no `lower` (its parents come with each mount) and gets its
    // mount point at mount time (on the mount root's tmpfs): two file creates fewer on disk.
    await Promise.all([
      link === null ? undefined : writeFile(join(dir, 'link'), link),
      link === null ? undefined : symlink(`../${cacheId}/diff`, join(this.root, 'l', link)),
      mountable || parentCacheIds.length === 0 ? undefined : this.#lowerOf(parentCacheIds).then((lower) => writeFile(join(dir, 'lower'), lower)),
      mountable ? mkdir(join(dir, 'work'), { mode: 0o700 }) : undefined,
      mountable && this.mountRoot === null ? mkdir(join(dir, 'merged'), { mode: 0o700 }) : undefined,
    ]);
  }

  /** The lowerdir list of a layer on `parentCacheIds` (nearest first), as short links. */
  async #lowerOf(parentCacheIds: readonly string[]): Promise<string> {
    return (await Promise.all(parentCacheIds.map((p) => this.#linkOf(p)))).map((l) => `l/${l}`).join(':');
  }

  /** Mounts a container layer on its parents (a legacy `lower` record when not given) and returns the merged path. */
  async mount(cacheId: string, parentCacheIds?: readonly string[], engineMounts = false): Promise<string> {
    const dir = join(this.root, cacheId);
    const lower = parentCacheIds !== undefined ? await this.#lowerOf(parentCacheIds)
      : await readFile(join(dir, 'lower'), 'utf8').then((l) => l.trim(), () => '');
    // A container made by a berthd before mount roots has its mount point in its dir (a name
    // lookup on the start path: in place, not a pool round trip).
    const legacy = join(dir, 'merged');
    const merged = this.mountRoot === null || existsSync(legacy) ? legacy : join(this.mountRoot, cacheId);
    if (merged !== legacy) await mkdir(merged, { recursive: true, mode: 0o700 });
    // The kernel empties the workdir's own work/ at every mount, so an existing workdir is
    // used as it is (no file churn per start); one left odd by a crash is emptied and the
    // mount tried again.
    await mkdir(join(dir, 'work'), { recursive: true, mode: 0o700 });
    if (!lower) await mkdir(join(dir, 'empty'), { recursive: true });
    const init = engineMounts ? await this.#initLower(lower) : null;
    const lowerRel = [init, lower || `${cacheId}/empty`].filter(Boolean).join(':');
    try {
      await this.#mountOverlay(dir, cacheId, lowerRel, merged);
    } catch {
      await rm(join(dir, 'work'), { recursive: true, force: true });
      await mkdir(join(dir, 'work'), { mode: 0o700 });
      await this.#mountOverlay(dir, cacheId, lowerRel, merged);
    }
    this.#mounted.set(cacheId, merged);
    return merged;
  }

  #initLower(lower: string): Promise<string | null> {
    let p = this.#initLowers.get(lower);
    if (!p) {
      p = (async () => {
        const variant = initVariant(await etcInLayers(lower ? lower.split(':').map((l) => join(this.root, l)) : []));
        if (variant === null) return null;
        await ensureInitLower(join(this.root, 'init'), variant);
        return `init/${variant}`;
      })();
      // A failure is not remembered: the next mount tries again.
      p.catch(() => this.#initLowers.delete(lower));
      this.#initLowers.set(lower, p);
    }
    return p.catch(() => null);
  }

  async #mountOverlay(dir: string, cacheId: string, lowerRel: string, merged: string): Promise<void> {
    // In-process mount needs absolute paths (no cwd); they fit the one-page option limit for
    // a few dozen layers. Longer chains use the short l/ links with `mount` run in the root.
    const abs = `lowerdir=${lowerRel.split(':').map((l) => join(this.root, l)).join(':')},upperdir=${join(dir, 'diff')},workdir=${join(dir, 'work')}`;
    if (abs.length >= 4000 || !await mountAsync('overlay', merged, 'overlay', abs)) {
      await execTool('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerRel},upperdir=${cacheId}/diff,workdir=${cacheId}/work`, merged], { cwd: this.root });
    }
  }

  async unmount(cacheId: string): Promise<void> {
    const merged = this.#mounted.get(cacheId);
    if (merged === undefined) return;
    this.#mounted.delete(cacheId);
    // Detached lazily: the container's processes are gone (its pid namespace died with its
    // init), and a mount still held by someone must not block removal.
    if (await detachMount(merged)) return;
    const res = await execTool('umount', [merged], { allowFailure: true });
    if (res.code !== 0 && !/not mounted|no mount point/i.test(res.stderr)) {
      await execTool('umount', ['-l', merged], { allowFailure: true });
    }
  }

  async remove(cacheId: string): Promise<void> {
    const dir = join(this.root, cacheId);
    // A few bytes, or (a container's layer) a name that is not there: read in place.
    let link = '';
    try { link = readFileSync(join(dir, 'link'), 'utf8').trim(); } catch { /* a container's layer, or half-made */ }
    if (link) await rm(join(this.root, 'l', link), { force: true });
    this.#links.delete(cacheId);
    // Never recursive: were the layer still mounted there, that would delete through the mount.
    if (this.mountRoot !== null) try { rmdirSync(join(this.mountRoot, cacheId)); } catch { /* not made, or busy */ }
    // Rename first so a crash mid-delete never leaves a half-deleted layer under its real name.
    const trash = join(this.root, `${cacheId}-removing`);
    try {
      await rename(dir, trash);
    } catch {
      return;
    }
    // Freed in the background: the layer is gone for everyone once renamed; init() sweeps
    // any *-removing left by a crash.
    void rm(trash, { recursive: true, force: true }).catch(() => undefined);
  }

  async list(): Promise<string[]> {
    return (await readdir(this.root)).filter((n) => n !== 'l' && n !== 'init' && !n.endsWith('-removing'));
  }

  /** Deletes what a crash left half-removed. */
  async sweep(): Promise<void> {
    for (const n of await readdir(this.root)) {
      if (n.endsWith('-removing')) await rm(join(this.root, n), { recursive: true, force: true });
    }
  }
}
