// RUN --mount at run time (BuildKit's cache, secret, bind and tmpfs mounts on the classic
// builder's RUN containers):
//   cache   a persistent directory per (id, from, source) under <data-root>/build/mounts/cache/,
//           kept across builds and daemon restarts; sharing=shared (used by all at once),
//           locked (one RUN at a time), private (a busy cache gives the next RUN another instance)
//   secret  a file given to the build (the context's .berth-secrets sidecar, taken out of the
//           context before anything reads it), copied with its mode/uid/gid to a scratch file
//           and bind-mounted read-only; never part of a layer, a config or a history line
//   bind    a path of the context, or of a stage's / an image's rootfs (a throw-away RW
//           layer, so rw writes are discarded); read-only unless rw
//   tmpfs   a tmpfs (exec allowed, as BuildKit's)
// Mount points the runtime had to create for them are taken out of the step's layer
// (stripMountStubs), as BuildKit removes its mount stubs.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, lstat, mkdir, readdir, rename, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { CanceledError, execTool, KeyedMutex, newId, readJsonFile, writeJsonAtomic } from '../lib/index.ts';
import { isOpaqueDir, type LayerStore } from '../layer/index.ts';
import { runMountKey, type RunMount } from './dockerfile/index.ts';
import type { StepImage } from './build-store.ts';
import type { RunMountSpec } from './build-backend.ts';
import { hashSources } from './copy.ts';
import type { FileDigests } from './context/extract.ts';
import { resolveInRoot } from './scoped-path.ts';
import { BuildError } from './errors.ts';
import { agentSocket, type SshAgentSource } from './ssh-session.ts';

/** A cache mount's record, kept in <root>/.meta/<name>.json (for `system df`). */
interface CacheMeta { description: string; created: string; usageCount: number }

/** A cache mount as `system df` lists it. */
export interface CacheMountUsage {
  name: string;
  description: string;
  size: number;
  inUse: boolean;
  created: string;
  lastUsed: string;
  usageCount: number;
}

/** Bytes under a directory (every entry's size, hard links once, as BuildKit's disk usage). */
async function treeSize(dir: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    const st = await lstat(p).catch(() => null);
    if (!st) continue;
    const ino = `${st.dev}:${st.ino}`;
    if (seen.has(ino)) continue;
    seen.add(ino);
    total += st.size;
    if (st.isDirectory()) total += await treeSize(p, seen);
  }
  return total;
}

/** The persistent directories of cache mounts. */
export class CacheMounts {
  readonly #inUse = new Map<string, number>();
  readonly #locks = new KeyedMutex();
  readonly #creating = new KeyedMutex();

  #ready: Promise<void> | null = null;

  constructor(readonly root: string) {}

  /** Made on first use; half-made caches a crash left are removed then. */
  #init(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      for (const n of await readdir(this.root)) if (n.startsWith('.tmp-')) await rm(join(this.root, n), { recursive: true, force: true });
    })();
    return this.#ready;
  }

  /**
   * The directory for cache `key`, made (and filled by `fill`) the first time. The caller
   * must call release() when its RUN is over.
   */
  async acquire(key: string, sharing: 'shared' | 'private' | 'locked', fill: (dir: string) => Promise<void>, o: { signal?: AbortSignal | undefined; description?: string | undefined } = {}): Promise<{ path: string; release(): void }> {
    const { signal } = o;
    await this.#init();
    let name = key;
    let unlock: (() => void) | null = null;
    if (sharing === 'locked') {
      if (signal?.aborted) throw new CanceledError('build cancelled while waiting for a locked cache mount');
      let got!: () => void;
      const acquired = new Promise<void>((res) => { got = res; });
      const held = new Promise<void>((res) => { unlock = res; });
      void this.#locks.run(key, async () => { got(); await held; });
      // A build waiting here whose client hangs up gives up its place: its turn, when it
      // comes, is passed on at once (unlock before acquired makes the holder a no-op).
      let onAbort: (() => void) | null = null;
      const cancelled = new Promise<never>((_, rej) => {
        onAbort = (): void => { (unlock as unknown as () => void)(); rej(new CanceledError('build cancelled while waiting for a locked cache mount')); };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      cancelled.catch(() => undefined);
      try {
        await (signal ? Promise.race([acquired, cancelled]) : acquired);
      } finally {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      }
    } else if (sharing === 'private') {
      for (let n = 1; (this.#inUse.get(name) ?? 0) > 0; n++) name = `${key}.${n}`;
    }
    this.#inUse.set(name, (this.#inUse.get(name) ?? 0) + 1);
    const path = join(this.root, name);
    try {
      await this.#creating.run(name, async () => {
        if (await lstat(path).then(() => true, () => false)) return;
        const tmp = join(this.root, `.tmp-${randomBytes(8).toString('hex')}`);
        await mkdir(tmp, { mode: 0o755 });
        try {
          await fill(tmp);
          await rename(tmp, path);
        } catch (err) {
          await rm(tmp, { recursive: true, force: true });
          throw err;
        }
      });
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined); // last use, for `builder prune --filter until`
      await this.#touchMeta(name, o.description ?? '', now);
    } catch (err) {
      this.#done(name, unlock);
      throw err;
    }
    let released = false;
    return { path, release: () => { if (!released) { released = true; this.#done(name, unlock); } } };
  }

  #done(name: string, unlock: (() => void) | null): void {
    const n = (this.#inUse.get(name) ?? 1) - 1;
    if (n <= 0) this.#inUse.delete(name); else this.#inUse.set(name, n);
    if (unlock) (unlock as () => void)();
  }

  #metaPath(name: string): string {
    return join(this.root, '.meta', `${name}.json`);
  }

  /** Counts a use (and keeps the first description and creation time). */
  async #touchMeta(name: string, description: string, now: Date): Promise<void> {
    const old = await readJsonFile<CacheMeta>(this.#metaPath(name)).catch(() => undefined);
    const meta: CacheMeta = { description: old?.description || description, created: old?.created ?? now.toISOString(), usageCount: (old?.usageCount ?? 0) + 1 };
    await mkdir(join(this.root, '.meta'), { recursive: true });
    await writeJsonAtomic(this.#metaPath(name), meta, { durable: false }).catch(() => undefined);
  }

  /** Every cache directory with its size and use (`system df`). */
  async usage(): Promise<CacheMountUsage[]> {
    const out: CacheMountUsage[] = [];
    for (const n of (await readdir(this.root).catch(() => [] as string[])).sort()) {
      if (n.startsWith('.')) continue;
      const st = await stat(join(this.root, n)).catch(() => null);
      if (!st?.isDirectory()) continue;
      const meta = await readJsonFile<CacheMeta>(this.#metaPath(n)).catch(() => undefined);
      out.push({
        name: n, description: meta?.description ?? '', size: await treeSize(join(this.root, n)), inUse: (this.#inUse.get(n) ?? 0) > 0,
        created: meta?.created ?? st.birthtime.toISOString(), lastUsed: st.mtime.toISOString(), usageCount: meta?.usageCount ?? 0,
      });
    }
    return out;
  }

  /** Removes the caches no RUN uses now, last used before `before` (ms): their names and bytes. */
  async prune(before = Infinity): Promise<{ names: string[]; bytes: number }> {
    const names: string[] = [];
    let bytes = 0;
    for (const n of await readdir(this.root).catch(() => [] as string[])) {
      if (n.startsWith('.') || (this.#inUse.get(n) ?? 0) > 0) continue;
      const st = await stat(join(this.root, n)).catch(() => null);
      if (!st || st.mtimeMs >= before) continue;
      bytes += await treeSize(join(this.root, n));
      await rm(join(this.root, n), { recursive: true, force: true });
      await rm(this.#metaPath(n), { force: true });
      names.push(n);
    }
    return { names, bytes };
  }
}

/** What setting up a step's mounts needs from the builder. */
export interface MountEnv {
  layers: LayerStore;
  cache: CacheMounts;
  contextDir: string;
  /** Scratch space of this step (removed by the caller). */
  scratch: string;
  /** Secret id -> host file. */
  secrets: ReadonlyMap<string, string>;
  /** Digests of context files (see hashSources). */
  digests?: FileDigests | undefined;
  /** The image a from= names (a stage, a stage index or an image). */
  fromImage(ref: string): Promise<StepImage>;
  /** The build's cancellation (a locked cache mount is waited for only while it is not aborted). */
  signal?: AbortSignal | undefined;
  /** The RUN's command (a cache mount's description in `system df`). */
  command?: string[] | undefined;
  /** The agent the client forwards by an ssh id (null: none by that id). */
  ssh?: ((id: string) => SshAgentSource | null) | undefined;
}

function hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function contextSource(source: string): string {
  return posix.normalize('/' + (source || '/')).slice(1);
}

/**
 * The mounts' part of the RUN step's cache key: each mount's definition, for a bind of the
 * context the content of what it mounts, for a from= the image's id. A secret's content is
 * not in it (as BuildKit: changing a secret does not re-run the step).
 */
export async function mountKeyParts(mounts: readonly RunMount[], env: MountEnv): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const m of mounts) {
    const part: unknown[] = [runMountKey(m)];
    if ((m.type === 'bind' || m.type === 'cache') && m.from !== '') part.push((await env.fromImage(m.from)).id);
    else if (m.type === 'bind') {
      const rel = contextSource(m.source);
      const host = await resolveInRoot(env.contextDir, rel);
      const st = await stat(host).catch(() => null);
      if (!st) throw new BuildError(`failed to compute cache key: "/${rel}": not found`);
      part.push(await hashSources([{ hostPath: host, rel, isDir: st.isDirectory() }], null, env.digests));
    }
    out.push(part);
  }
  return out;
}

/** Mounts for the RUN container; release() undoes everything (RW layers, cache holds, files). */
export async function setupMounts(mounts: readonly RunMount[], env: MountEnv): Promise<{ mounts: RunMountSpec[]; release(): Promise<void> }> {
  const undo: (() => Promise<void> | void)[] = [];
  const release = async (): Promise<void> => {
    for (const u of undo.reverse()) await Promise.resolve(u()).catch(() => undefined);
    undo.length = 0;
  };
  /** A throw-away RW layer on the image (its merged rootfs). */
  const mountImage = async (img: StepImage): Promise<string> => {
    // A container-like id: a crash leaves it to the container service's orphan sweep at start.
    const id = newId();
    await env.layers.createRW(id, img.topChainId);
    undo.push(() => env.layers.removeRW(id));
    const rootfs = await env.layers.mountRW(id, img.topChainId);
    undo.push(() => env.layers.unmountRW(id));
    return rootfs;
  };
  const out: RunMountSpec[] = [];
  try {
    let n = 0;
    for (const m of mounts) {
      n++;
      switch (m.type) {
        case 'tmpfs':
          out.push({ type: 'tmpfs', source: '', target: m.target, readOnly: m.readOnly, size: m.size });
          break;
        case 'secret': {
          const src = env.secrets.get(m.id);
          if (src === undefined) {
            if (m.required) throw new BuildError(`secret ${m.id}: not found`);
            break;
          }
          const dir = join(env.scratch, `secret-${n}`);
          await mkdir(dir, { recursive: true, mode: 0o700 });
          const file = join(dir, 'secret');
          await copyFile(src, file);
          await chmod(file, m.mode ?? 0o400);
          await chown(file, m.uid ?? 0, m.gid ?? 0);
          undo.push(() => rm(dir, { recursive: true, force: true }));
          out.push({ type: 'bind', source: file, target: m.target, readOnly: true });
          break;
        }
        case 'ssh': {
          const src = env.ssh?.(m.id) ?? null;
          if (src === null) {
            if (!m.required) break;
            throw new BuildError(`no SSH agent ${JSON.stringify(m.id)} was forwarded by the client for RUN --mount=type=ssh: build with \`berth build --ssh ${m.id === 'default' ? 'default' : `${m.id}=<agent socket>`}\` (the docker CLI's classic builder cannot forward one), or mark the mount required=false`);
          }
          const sock = await agentSocket(src, { mode: m.mode ?? 0o600, uid: m.uid ?? 0, gid: m.gid ?? 0 });
          undo.push(() => sock.close());
          out.push({ type: 'bind', source: sock.path, target: m.target, readOnly: m.readOnly });
          break;
        }
        case 'bind': {
          let root = env.contextDir;
          if (m.from !== '') root = await mountImage(await env.fromImage(m.from));
          const rel = contextSource(m.source);
          let host = await resolveInRoot(root, rel);
          if (!(await lstat(host).then(() => true, () => false))) throw new BuildError(`failed to mount ${m.target}: "/${rel}": not found`);
          if (!m.readOnly && m.from === '') {
            // rw on the context: writes go to a copy and are discarded.
            const copy = join(env.scratch, `bind-${n}`);
            await mkdir(copy, { recursive: true });
            undo.push(() => rm(copy, { recursive: true, force: true }));
            const res = await execTool('cp', ['-a', host, join(copy, 'src')], { allowFailure: true });
            if (res.code !== 0) throw new BuildError(`failed to mount ${m.target}: ${res.stderr.trim()}`);
            host = join(copy, 'src');
          }
          out.push({ type: 'bind', source: host, target: m.target, readOnly: m.readOnly });
          break;
        }
        case 'cache': {
          const from = m.from !== '' ? await env.fromImage(m.from) : null;
          const key = hex(JSON.stringify([m.id, from?.id ?? '', from ? m.source : '']));
          const held = await env.cache.acquire(key, m.sharing, async (dir) => {
            if (from) {
              const rootfs = await mountImage(from);
              const src = await resolveInRoot(rootfs, contextSource(m.source));
              const res = await execTool('cp', ['-a', `${src}/.`, `${dir}/`], { allowFailure: true });
              if (res.code !== 0) throw new BuildError(`failed to seed cache mount ${m.target} from ${m.from}: ${res.stderr.trim()}`);
            }
            await chmod(dir, m.mode ?? 0o755);
            await chown(dir, m.uid ?? 0, m.gid ?? 0);
          }, { signal: env.signal, description: `cached mount ${m.target} from exec ${(env.command ?? []).join(' ')}${m.id ? ` with id ${JSON.stringify(m.id)}` : ''}` });
          undo.push(() => held.release());
          out.push({ type: 'bind', source: held.path, target: m.target, readOnly: m.readOnly });
          break;
        }
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  // Outer mounts first, so a mount inside another's target lands on top of it.
  out.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  return { mounts: out, release };
}

/** A path of the parent image, as the union of its layers shows it (null: absent). */
async function lowerStat(layers: LayerStore, top: string | null, rel: string): Promise<import('node:fs').Stats | null> {
  if (top === null) return null;
  for (const cacheId of layers.cacheChain(top)) {
    const st = await lstat(join(layers.driver.diffPath(cacheId), rel)).catch(() => null);
    if (!st) continue;
    if (st.isCharacterDevice() && st.rdev === 0) return null; // whiteout
    return st;
  }
  return null;
}

/**
 * Takes out of a RUN step's upper dir the mount points the runtime made for its mounts: an
 * empty file or directory at a target the parent image lacks, and the directories above it
 * that were made (or copied up unchanged) only to hold it.
 */
export async function stripMountStubs(upper: string, targets: readonly string[], layers: LayerStore, top: string | null): Promise<void> {
  const sorted = [...targets].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const target of sorted) {
    let rel = target.replace(/^\/+/, '');
    while (rel !== '' && rel !== '.') {
      const p = join(upper, rel);
      const st = await lstat(p).catch(() => null);
      if (!st) break;
      const lower = await lowerStat(layers, top, rel);
      if (st.isDirectory()) {
        if ((await readdir(p)).length !== 0 || isOpaqueDir(p)) break;
        if (lower && !(lower.isDirectory() && lower.mode === st.mode && lower.uid === st.uid && lower.gid === st.gid)) break;
        await rmdir(p);
      } else if (st.isFile() && st.size === 0 && lower === null) {
        await rm(p, { force: true });
      } else break;
      rel = posix.dirname(rel);
    }
  }
}
