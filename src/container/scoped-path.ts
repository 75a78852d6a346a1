// A path inside a container's rootfs resolved the way the container would see it (moby
// pkg/symlink FollowSymlinkInScope): symlinks are followed, but an absolute target or ".."
// never leaves the rootfs. Used to read image content on the host side safely.
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 255;

/** The host path of `path` inside `root`; components that do not exist are kept as they are. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = posix.normalize(`/${path}`).split('/').filter((p) => p !== '');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const host = posix.join(root, ...done, part);
    const st = await lstat(host).catch(() => null);
    if (!st?.isSymbolicLink()) { done.push(part); continue; }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links: ${path}`);
    const target = await readlink(host);
    const rest = target.split('/').filter((p) => p !== '');
    if (target.startsWith('/')) done.length = 0;
    pending = [...rest, ...pending];
  }
  return posix.join(root, ...done);
}

// ---------------------------------------------------------------------------------------
// The fd-anchored resolver behind cp/archive (CVE-2018-15664 class). resolveInRoot above
// returns a host path string, which a running container can race by swapping a directory
// for a symlink between the check and the use. ScopedRoot never hands the kernel a path
// with more than one untrusted component: each step opens one name relative to the
// previous directory's O_PATH descriptor (`/proc/self/fd/<fd>/<name>`, O_NOFOLLOW), reads
// symlinks itself and interprets them inside the root (absolute targets restart at the
// root, `..` stops there). What it returns is a descriptor, not a path; later operations
// work relative to it. Mounts of a stopped container (volumes, binds) are grafted at their
// destinations, as they would be in the container.

/** open(2) O_PATH: a descriptor that names a node without opening it for I/O. */
export const O_PATH = 0o10000000;
const MAX_HOPS = 40; // the kernel's limit (ELOOP)

export class ScopeError extends Error {
  constructor(message: string, readonly code: 'ENOENT' | 'ENOTDIR' | 'ELOOP') { super(message); }
}

/** A mount grafted into the view: a clean absolute container path and its host source. */
export interface ScopedMount { destination: string; source: string }

export interface Resolved {
  /** The canonical (symlink-free) container path. */
  path: string;
  /** The node itself (O_PATH, not followed when it is a symlink and followLast is off), or null when missing. */
  node: FileHandle | null;
  /** Its directory (O_PATH); for "/" the root itself. */
  parent: FileHandle;
  /** The last component ("" for the root). */
  name: string;
  /** Closes the descriptors this result owns. */
  close(): Promise<void>;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component (PUT's target, -L); default false (lstat semantics). */
  followLast?: boolean;
  /** Missing components make the rest lexical (Docker's FollowSymlinkInScope) instead of ENOENT. */
  lexicalMissing?: boolean;
}

interface Frame { name: string; fh: FileHandle; owned: boolean }

export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}

/** `/proc/self/fd/<fd>/<name>`: one component resolved relative to a held descriptor. */
export function at(dir: FileHandle, name = ''): string {
  return name === '' ? `/proc/self/fd/${dir.fd}` : `/proc/self/fd/${dir.fd}/${name}`;
}

async function openNoFollow(dir: FileHandle, name: string): Promise<FileHandle | null> {
  try {
    return await open(at(dir, name), O_PATH | fsc.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class ScopedRoot {
  readonly #mounts = new Map<string, string>();
  private constructor(readonly root: FileHandle, readonly hostPath: string) {}

  /** Opens `hostPath` (the container's rootfs, or /proc/<pid>/root) as the root of the view. */
  static async open(hostPath: string, mounts: readonly ScopedMount[] = []): Promise<ScopedRoot> {
    const fh = await open(hostPath, O_PATH | fsc.O_DIRECTORY);
    const r = new ScopedRoot(fh, hostPath);
    // Destinations are canonicalised in the view built so far (shallow mounts first), as the
    // runtime resolved them when it mounted them (e.g. /var/run/x with /var/run -> /run).
    for (const m of [...mounts].sort((a, b) => a.destination.length - b.destination.length)) {
      let dest = posix.normalize('/' + m.destination);
      try {
        const res = await r.resolve(dest, { followLast: true, lexicalMissing: true });
        dest = res.path;
        await res.close();
      } catch { /* keep the lexical path */ }
      r.#mounts.set(dest, m.source);
    }
    return r;
  }

  async close(): Promise<void> {
    await this.root.close().catch(() => undefined);
  }

  /** The grafted mounts strictly below `path` (canonical destinations), shallow first. */
  mountsBelow(path: string): ScopedMount[] {
    return [...this.#mounts].filter(([d]) => d !== path && (path === '/' || d.startsWith(path + '/')))
      .sort((a, b) => a[0].length - b[0].length).map(([destination, source]) => ({ destination, source }));
  }

  /** The canonical container path a mount is grafted at that contains `path`, or null. */
  mountOf(path: string): string | null {
    let best: string | null = null;
    for (const d of this.#mounts.keys()) {
      if ((path === d || path.startsWith(d + '/')) && (best === null || d.length > best.length)) best = d;
    }
    return best;
  }

  async #graft(cpath: string, fh: FileHandle | null): Promise<FileHandle | null> {
    const src = this.#mounts.get(cpath);
    if (src === undefined) return fh;
    // The source is the daemon's own (a volume's dir) or the admin's bind; a bind source
    // that is gone leaves the rootfs' mountpoint in view.
    const grafted = await open(src, O_PATH).catch(() => null);
    if (grafted === null) return fh;
    await fh?.close();
    return grafted;
  }

  /** Resolves a container path inside the root; never leaves it, whatever the symlinks say. */
  async resolve(path: string, o: ResolveOptions = {}): Promise<Resolved> {
    const stack: Frame[] = [{ name: '', fh: this.root, owned: false }];
    const closeFrames = async (from: number): Promise<void> => {
      for (const f of stack.splice(from)) if (f.owned) await f.fh.close().catch(() => undefined);
    };
    const here = (): string => '/' + stack.slice(1).map((f) => f.name).join('/');
    // Not normalised first: `a/..` where a is a symlink means the symlink target's parent.
    let pending = path.split('/').filter((s) => s !== '' && s !== '.');
    let hops = 0;
    try {
      while (pending.length > 0) {
        const part = pending.shift()!;
        if (part === '.') continue;
        if (part === '..') { if (stack.length > 1) await closeFrames(stack.length - 1); continue; }
        const dir = stack[stack.length - 1]!;
        const last = pending.length === 0;
        const cpath = posix.join(here(), part);
        let fh = await openNoFollow(dir.fh, part);
        if (fh === null) {
          fh = await this.#graft(cpath, null); // a mount whose mountpoint the rootfs lacks
          if (fh === null) {
            if (last) return this.#result(stack, closeFrames, part, null);
            if (o.lexicalMissing) {
              const rest = posix.normalize(posix.join(cpath, ...pending));
              await closeFrames(1);
              return this.#lexical(rest);
            }
            throw new ScopeError(`no such file or directory: ${cpath}`, 'ENOENT');
          }
        }
        const st = await fh.stat();
        if (st.isSymbolicLink() && (!last || o.followLast)) {
          if (++hops > MAX_HOPS) { await fh.close(); throw new ScopeError(`too many levels of symbolic links: ${path}`, 'ELOOP'); }
          const target = await readlink(at(dir.fh, part));
          await fh.close();
          if (target.startsWith('/')) await closeFrames(1);
          pending = [...target.split('/').filter((s) => s !== '' && s !== '.'), ...pending];
          continue;
        }
        fh = (await this.#graft(cpath, fh))!;
        if (!last && !(await fh.stat()).isDirectory()) {
          await fh.close();
          throw new ScopeError(`not a directory: ${cpath}`, 'ENOTDIR');
        }
        stack.push({ name: part, fh, owned: true });
      }
      if (stack.length === 1) {
        return { path: '/', node: this.root, parent: this.root, name: '', close: async () => undefined };
      }
      const top = stack.pop()!;
      return this.#result(stack, closeFrames, top.name, top.fh);
    } catch (err) {
      await closeFrames(1);
      throw err;
    }
  }

  #result(stack: Frame[], closeFrames: (from: number) => Promise<void>, name: string, node: FileHandle | null): Resolved {
    const parent = stack[stack.length - 1]!;
    const path = posix.join('/', ...stack.slice(1).map((f) => f.name), name);
    // Only the parent and the node stay open; the frames above the root below them close now.
    const keep = parent;
    const others = stack.slice(1, -1);
    for (const f of others) void f.fh.close().catch(() => undefined);
    return {
      path, node, parent: keep.fh, name,
      close: async () => {
        await node?.close().catch(() => undefined);
        if (keep.owned) await keep.fh.close().catch(() => undefined);
      },
    };
  }

  /** A result for a path that does not exist (lexicalMissing): only its path is known. */
  #lexical(path: string): Resolved {
    return { path, node: null, parent: this.root, name: posix.basename(path), close: async () => undefined };
  }
}
