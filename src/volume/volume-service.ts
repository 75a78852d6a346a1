// VolumeService: named and anonymous volumes of the `local` driver, their reference counts
// and their mounts. Docker's rules, kept here in one place:
// - a volume is referenced by every container record that names it, running or not; a
//   referenced volume is never removed (409 "volume is in use"), and prune skips it;
// - a volume with driver options (type/device/o) is mounted on its _data directory when the
//   first running container needs it and unmounted when the last one stops;
// - records are written as a whole: a temp directory with volume.json and _data is renamed
//   to volumes/<name>; removal renames it away first, so a crash leaves either the whole
//   volume or a `.rm-*` leftover that init() finishes deleting.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InternalError, KeyedMutex, execTool, messageOf, newId, readJsonFile, type Logger } from '../lib/index.ts';
import type { EventBus } from '../events/index.ts';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../api/types/index.ts';
import { InvalidVolumeError, NoSuchVolumeDriverError, NoSuchVolumeError, VolumeInUseError } from './errors.ts';
import { volumeNameProblem } from './volume-name.ts';
import { localOptionsProblem, mountArgs, needsMount } from './local-options.ts';
import { listFilter, pruneFilter, type Filters, type VolumeFacts } from './volume-filters.ts';
import { dirSize } from './dir-size.ts';

/** The label Docker puts on volumes made for a container (`-v /path`, image VOLUME). */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
const DRIVER = 'local';

export interface VolumeRecord {
  name: string;
  driver: string;
  createdAt: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
}

export interface AcquireOptions {
  driver?: string;
  driverOpts?: Record<string, string> | null;
  labels?: Record<string, string> | null;
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try { await h.sync(); } finally { await h.close(); }
}

/** Mount points from /proc/self/mountinfo (field 5), unescaped. */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return text.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m)
    .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}

/** dockerd marshals Go maps, whose JSON keys come out sorted; clients show them in that order. */
function sortedMap(m: Record<string, string> | null): Record<string, string> | null {
  return m === null ? null : Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class VolumeService {
  readonly root: string;
  readonly #records = new Map<string, VolumeRecord>();
  readonly #refs = new Map<string, Set<string>>();
  readonly #active = new Map<string, Set<string>>();
  readonly #mounted = new Set<string>();
  readonly #mutex = new KeyedMutex();
  /** Wire views of the records (which never change once written): `volume ls` of many volumes stays cheap. */
  readonly #views = new Map<string, Volume>();

  constructor(dataRoot: string, private readonly events: EventBus, private readonly log: Logger) {
    this.root = join(dataRoot, 'volumes');
  }

  /** Loads the records; finishes removals and drops creations a crash interrupted. */
  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o701 });
    const mounts = await mountPoints();
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const dir = join(this.root, e.name);
      if (e.name.startsWith('.')) {
        await this.#deleteTree(dir, mounts).catch((err: unknown) => this.log.warn({ err, dir }, 'cannot remove volume leftover'));
        continue;
      }
      const rec = await readJsonFile<VolumeRecord>(join(dir, 'volume.json')).catch(() => undefined);
      if (!rec || rec.name !== e.name) {
        this.log.warn({ dir }, 'volume directory without a valid volume.json: skipped');
        continue;
      }
      this.#records.set(rec.name, rec);
      if (mounts.includes(this.dataPath(rec.name))) this.#mounted.add(rec.name);
    }
  }

  dataPath(name: string): string {
    return join(this.root, name, '_data');
  }

  has(name: string): boolean {
    return this.#records.has(name);
  }

  isAnonymous(name: string): boolean {
    const l = this.#records.get(name)?.labels;
    return l !== null && l !== undefined && ANONYMOUS_LABEL in l;
  }

  driverOf(name: string): string {
    return this.#records.get(name)?.driver ?? DRIVER;
  }

  async create(req: VolumeCreateRequest): Promise<Volume> {
    const name = req.Name || newId();
    const rec = await this.#create(name, { driver: req.Driver ?? '', driverOpts: req.DriverOpts ?? null, labels: req.Labels ?? null });
    return this.#view(rec);
  }

  inspect(name: string): Volume {
    const rec = this.#records.get(name);
    if (!rec) throw new NoSuchVolumeError('get', name);
    return this.#view(rec);
  }

  list(filters: Filters): VolumeListResponse {
    const match = listFilter(filters);
    const vols = [...this.#records.values()].filter((r) => match(this.#facts(r)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((r) => this.#view(r));
    return { Volumes: vols, Warnings: null };
  }

  /** Volumes with their sizes and reference counts (GET /system/df). */
  async usage(): Promise<Volume[]> {
    const recs = [...this.#records.values()].sort((a, b) => a.name.localeCompare(b.name));
    return Promise.all(recs.map(async (r) => ({
      ...this.#view(r), UsageData: { Size: await dirSize(this.dataPath(r.name)), RefCount: this.#refs.get(r.name)?.size ?? 0 },
    })));
  }

  async remove(name: string, force: boolean): Promise<void> {
    await this.#mutex.run(name, async () => {
      if (!this.#records.has(name)) {
        if (force) return;
        throw new NoSuchVolumeError('get', name);
      }
      await this.#removeLocked(name);
    });
  }

  async prune(filters: Filters): Promise<VolumePruneResponse> {
    const { all, matches } = pruneFilter(filters);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const rec of [...this.#records.values()]) {
      const facts = this.#facts(rec);
      if (facts.inUse || (!all && !this.isAnonymous(rec.name)) || !matches(facts)) continue;
      await this.#mutex.run(rec.name, async () => {
        if (!this.#records.has(rec.name) || (this.#refs.get(rec.name)?.size ?? 0) > 0) return;
        const size = await dirSize(this.dataPath(rec.name));
        await this.#removeLocked(rec.name);
        deleted.push(rec.name);
        reclaimed += size;
      }).catch((err: unknown) => this.log.warn({ err, volume: rec.name }, 'prune: cannot remove volume'));
    }
    this.events.publish('volume', 'prune', '', { reclaimed: String(reclaimed) });
    return { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /**
   * For a container being created: the named volume (made if missing, as `docker run -v name:/p`
   * does) or a new anonymous one (name null), referenced by the container from now on.
   */
  async acquire(name: string | null, containerId: string, o: AcquireOptions = {}): Promise<string> {
    const anonymous = name === null;
    const n = name ?? newId();
    const labels = anonymous ? { ...(o.labels ?? {}), [ANONYMOUS_LABEL]: '' } : (o.labels ?? null);
    await this.#create(n, { driver: o.driver ?? '', driverOpts: o.driverOpts ?? null, labels }, containerId);
    return n;
  }

  /** Re-adds a reference found in a container record at daemon start. */
  restoreRef(name: string, containerId: string): void {
    if (!this.#records.has(name)) {
      this.log.warn({ volume: name, container: containerId }, 'container refers to a volume that does not exist');
      return;
    }
    this.#ref(name, containerId);
  }

  /** Drops a container's reference; with removeAnonymous, an anonymous volume nobody else uses goes too. */
  async release(name: string, containerId: string, removeAnonymous: boolean): Promise<void> {
    await this.#mutex.run(name, async () => {
      this.#refs.get(name)?.delete(containerId);
      if (this.#refs.get(name)?.size === 0) this.#refs.delete(name);
      // Normally the exit already unmounted it; a removal that overtakes that does it here.
      await this.#deactivate(name, containerId);
      if (!removeAnonymous || !this.#records.has(name) || !this.isAnonymous(name) || this.#refs.has(name)) return;
      await this.#removeLocked(name);
    });
  }

  /** A running container uses the volume: mount it if it needs a mount; returns the host path. */
  async mount(name: string, containerId: string, attrs: Record<string, string>): Promise<string> {
    return this.#mutex.run(name, async () => {
      const rec = this.#records.get(name);
      if (!rec) throw new NoSuchVolumeError('get', name);
      const path = this.dataPath(name);
      if (needsMount(rec.options) && !this.#mounted.has(name)) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        try {
          await execTool('mount', mountArgs(rec.options!, path));
        } catch (err) {
          throw new InternalError(`error while mounting volume '${path}': failed to mount local volume: ${messageOf(err)}`, { cause: err });
        }
        this.#mounted.add(name);
      }
      let set = this.#active.get(name);
      if (!set) { set = new Set(); this.#active.set(name, set); }
      set.add(containerId);
      this.events.publish('volume', 'mount', name, { container: containerId, driver: rec.driver, ...attrs });
      return path;
    });
  }

  /** The container stopped: unmount when it was the last running user. */
  async unmount(name: string, containerId: string): Promise<void> {
    await this.#mutex.run(name, () => this.#deactivate(name, containerId));
  }

  /** Caller holds the volume's lock. */
  async #deactivate(name: string, containerId: string): Promise<void> {
    const set = this.#active.get(name);
    if (!set?.has(containerId)) return;
    set.delete(containerId);
    if (set.size === 0) this.#active.delete(name);
    const rec = this.#records.get(name);
    this.events.publish('volume', 'unmount', name, { container: containerId, driver: rec?.driver ?? DRIVER });
    if (set.size === 0 && this.#mounted.has(name)) await this.#umount(name);
  }

  /** A running container re-adopted at daemon start keeps its volume mounted. */
  restoreActive(name: string, containerId: string): void {
    let set = this.#active.get(name);
    if (!set) { set = new Set(); this.#active.set(name, set); }
    set.add(containerId);
  }

  /** After containers are reconciled: unmount volumes no running container uses. */
  async unmountIdle(): Promise<void> {
    for (const name of [...this.#mounted]) {
      if ((this.#active.get(name)?.size ?? 0) > 0) continue;
      await this.#mutex.run(name, () => this.#umount(name)).catch((err: unknown) => this.log.warn({ err, volume: name }, 'cannot unmount idle volume'));
    }
  }

  async #create(name: string, o: AcquireOptions, containerId?: string): Promise<VolumeRecord> {
    const problem = volumeNameProblem(name);
    if (problem) throw new InvalidVolumeError(`create ${name}: ${problem}`);
    const driver = o.driver || DRIVER;
    if (driver !== DRIVER) throw new NoSuchVolumeDriverError('create', name, driver);
    const opts = o.driverOpts && Object.keys(o.driverOpts).length > 0 ? o.driverOpts : null;
    const optsProblem = opts ? localOptionsProblem(opts) : null;
    if (optsProblem) throw new InvalidVolumeError(`create ${name}: ${optsProblem}`);
    return this.#mutex.run(name, async () => {
      let rec = this.#records.get(name);
      if (!rec) {
        rec = { name, driver, createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: o.labels ?? null, options: o.driverOpts ?? null };
        await this.#writeNew(rec);
        this.#records.set(name, rec);
        this.events.publish('volume', 'create', name, { driver });
      }
      if (containerId !== undefined) this.#ref(name, containerId);
      return rec;
    });
  }

  /** temp dir with volume.json and _data → fsync → rename to volumes/<name> → fsync volumes/. */
  async #writeNew(rec: VolumeRecord): Promise<void> {
    const tmp = join(this.root, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(join(tmp, '_data'), { recursive: true, mode: 0o755 });
      const fh = await open(join(tmp, 'volume.json'), 'w', 0o600);
      try {
        await fh.writeFile(JSON.stringify(rec));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await syncDir(tmp);
      await rename(tmp, join(this.root, rec.name));
      await syncDir(this.root);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Caller holds the volume's lock. */
  async #removeLocked(name: string): Promise<void> {
    const refs = this.#refs.get(name);
    if (refs && refs.size > 0) throw new VolumeInUseError(name, [...refs]);
    if (this.#mounted.has(name)) await this.#umount(name);
    const dir = join(this.root, name);
    const mounts = await mountPoints();
    if (mounts.some((m) => m === dir || m.startsWith(`${dir}/`))) {
      throw new InternalError(`remove ${name}: the volume directory ${dir} still has a mount below it`);
    }
    const gone = join(this.root, `.rm-${name}-${randomBytes(4).toString('hex')}`);
    await rename(dir, gone);
    await syncDir(this.root);
    const rec = this.#records.get(name);
    this.#records.delete(name);
    this.#views.delete(name);
    this.#active.delete(name);
    await this.#deleteTree(gone, mounts);
    this.events.publish('volume', 'destroy', name, { driver: rec?.driver ?? DRIVER });
  }

  /** rm -rf that refuses to descend into a mount (a volume's data is never someone else's). */
  async #deleteTree(dir: string, mounts: readonly string[]): Promise<void> {
    if (mounts.some((m) => m === dir || m.startsWith(`${dir}/`))) throw new InternalError(`${dir} has a mount below it`);
    await rm(dir, { recursive: true, force: true });
  }

  async #umount(name: string): Promise<void> {
    const path = this.dataPath(name);
    const r = await execTool('umount', [path], { allowFailure: true });
    if (r.code !== 0 && (await mountPoints()).includes(path)) {
      throw new InternalError(`error while unmounting volume path '${path}': ${r.stderr.trim()}`);
    }
    this.#mounted.delete(name);
  }

  #ref(name: string, containerId: string): void {
    let set = this.#refs.get(name);
    if (!set) { set = new Set(); this.#refs.set(name, set); }
    set.add(containerId);
  }

  #facts(r: VolumeRecord): VolumeFacts {
    return { name: r.name, driver: r.driver, labels: r.labels ?? {}, inUse: (this.#refs.get(r.name)?.size ?? 0) > 0 };
  }

  #view(r: VolumeRecord): Volume {
    let v = this.#views.get(r.name);
    if (!v) {
      v = {
        CreatedAt: r.createdAt, Driver: r.driver, Labels: sortedMap(r.labels), Mountpoint: this.dataPath(r.name), Name: r.name,
        Options: sortedMap(r.options), Scope: 'local',
      };
      this.#views.set(r.name, v);
    }
    return v;
  }
}
