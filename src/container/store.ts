// Container records on disk and their in-memory indexes. Layout under
// <data-root>/containers/<id>/: config.json (immutable), state.json (rewritten atomically),
// ctr.log (conmon's k8s-file log), hosts, hostname, resolv.conf, exit/oom (written by conmon).
// Disk is the source of truth: indexes are rebuilt at start and updated only after a write.
import { readdir, rm, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, readJsonFile, writeJsonAtomic, type Logger } from '../lib/index.ts';
import type { Container, ContainerCreateConfig, ContainerRuntimeState } from './record.ts';
import { AmbiguousContainerError, NameInUseError, NoSuchContainerError } from './errors.ts';

export class ContainerStore {
  #byId = new Map<string, Container>();
  #byName = new Map<string, string>();
  readonly root: string;

  constructor(dataRoot: string, private readonly log: Logger) {
    this.root = join(dataRoot, 'containers');
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  async init(): Promise<void> {
    await ensureDir(this.root);
    for (const id of await readdir(this.root)) {
      if (id.endsWith('-removing')) {
        await rm(join(this.root, id), { recursive: true, force: true });
        continue;
      }
      try {
        const config = await readJsonFile<ContainerCreateConfig>(join(this.root, id, 'config.json'));
        const state = await readJsonFile<ContainerRuntimeState>(join(this.root, id, 'state.json'));
        if (!config || !state) {
          // Half-created (crash during create): nothing ever referred to it.
          await rm(join(this.root, id), { recursive: true, force: true });
          continue;
        }
        this.#byId.set(id, { config, state });
        this.#byName.set(state.name, id);
      } catch (err) {
        this.log.warn({ err, container: id }, 'skipping unreadable container record');
      }
    }
  }

  all(): Container[] {
    return [...this.#byId.values()];
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  idOfName(name: string): string | undefined {
    return this.#byName.get(name);
  }

  nameTaken(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Full id, unique id prefix, or name (with or without the leading slash). */
  get(ref: string): Container {
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const exact = this.#byId.get(ref);
    if (exact) return exact;
    // A name can be reserved by a create still in progress: not a container yet.
    const byName = this.#byName.get(name);
    const named = byName === undefined ? undefined : this.#byId.get(byName);
    if (named) return named;
    if (/^[0-9a-f]+$/.test(ref) && ref.length > 0) {
      let hit: Container | undefined;
      for (const [id, c] of this.#byId) {
        if (!id.startsWith(ref)) continue;
        if (hit) throw new AmbiguousContainerError(ref);
        hit = c;
      }
      if (hit) return hit;
    }
    throw new NoSuchContainerError(ref);
  }

  /**
   * Takes a name for `id` at once (synchronously), so concurrent creates can never pick the
   * same one; release it if the create fails before add().
   */
  reserveName(name: string, id: string): void {
    const other = this.#byName.get(name);
    if (other && other !== id) throw new NameInUseError(name, other);
    this.#byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.#byName.get(name) === id) this.#byName.delete(name);
  }

  async add(config: ContainerCreateConfig, state: ContainerRuntimeState): Promise<Container> {
    this.reserveName(state.name, config.id);
    try {
      const dir = this.dir(config.id);
      await ensureDir(dir);
      // The config is durable (fsynced); the state is not (see saveState). Both at once.
      await Promise.all([
        writeJsonAtomic(join(dir, 'config.json'), config),
        writeJsonAtomic(join(dir, 'state.json'), state, { durable: false }),
      ]);
    } catch (err) {
      this.#byName.delete(state.name);
      throw err;
    }
    const c = { config, state };
    this.#byId.set(config.id, c);
    return c;
  }

  /**
   * State is written atomically (temp + rename) but not fsynced: a killed berthd loses
   * nothing (the page cache survives it), and after a power loss reconcile rebuilds the
   * state from conmon's exit files and the runtime. This keeps fsyncs off the start path.
   */
  async saveState(c: Container): Promise<void> {
    await writeJsonAtomic(join(this.dir(c.config.id), 'state.json'), c.state, { durable: false });
  }

  /**
   * Rewrites config.json (durable, atomic): only `docker update` changes a created
   * container's config (its HostConfig resources and restart policy).
   */
  async saveConfig(c: Container): Promise<void> {
    await writeJsonAtomic(join(this.dir(c.config.id), 'config.json'), c.config);
  }

  async rename(c: Container, newName: string): Promise<void> {
    const other = this.#byName.get(newName);
    if (other) throw new NameInUseError(newName, other);
    const old = c.state.name;
    this.#byName.set(newName, c.config.id);
    c.state.name = newName;
    try {
      await this.saveState(c);
    } catch (err) {
      c.state.name = old;
      this.#byName.delete(newName);
      throw err;
    }
    this.#byName.delete(old);
  }

  async remove(c: Container): Promise<void> {
    const dir = this.dir(c.config.id);
    // Renamed away first: a crash mid-delete leaves a dir that init() finishes deleting.
    await rename(dir, `${dir}-removing`).catch(() => undefined);
    this.#byId.delete(c.config.id);
    if (this.#byName.get(c.state.name) === c.config.id) this.#byName.delete(c.state.name);
    // The record is gone once renamed; the bytes (logs can be large) are freed in the background.
    void rm(`${dir}-removing`, { recursive: true, force: true }).catch((err: unknown) => this.log.warn({ err, dir }, 'could not delete a removed container dir'));
  }
}
