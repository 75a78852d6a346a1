// The container filesystem operations (moby daemon/archive.go, archive_unix.go, export.go,
// changes.go): stat and tar a path (HEAD/GET /containers/{id}/archive), extract a tar into
// a directory (PUT), export the whole rootfs, list changes. Paths go through FsView
// (container-fs.ts), never through host path strings. Tars are written by GNU tar started
// on a descriptor (`-C /proc/self/fd/3`), which walks with openat and O_NOFOLLOW.
import { spawn } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tarStream from 'tar-stream';
import { InternalError, InvalidArgumentError, NotFoundError } from '../../lib/index.ts';
import type { ContainerChange, ContainerPathStat } from '../../api/types/index.ts';
import { resolveUser } from '../../specgen/index.ts';
import { emitContainerEvent, type ContainerContext } from '../context.ts';
import { openFsView, type FsView } from '../container-fs.ts';
import { at, O_PATH, ScopeError, type Resolved } from '../scoped-path.ts';
import { goFileMode, rfc3339Nano } from '../path-stat.ts';
import { extractTar } from '../tar-extract.ts';
import { ownerMaps } from '../owner-map.ts';

/** moby containerFileNotFound. */
export class ContainerFileNotFoundError extends NotFoundError {
  constructor(file: string, container: string) {
    super(`Could not find the file ${file} in container ${container}`, { code: 'BERTH_CONTAINER_FILE_NOT_FOUND' });
  }
}

/** The base name Docker reports and rebases to: "/" for the root, "." for "dir/.". */
export function requestBase(path: string): string {
  if (path === '.' || path.endsWith('/.')) return '.';
  const clean = posix.normalize('/' + path);
  return clean === '/' ? '/' : posix.basename(clean);
}

async function resolveOrNotFound(view: FsView, path: string, ref: string, follow: boolean): Promise<Resolved> {
  let r: Resolved;
  // A trailing "/" or "/." follows a last symlink, as the kernel does for "link/".
  const assertsDir = path.endsWith('/') || path.endsWith('/.');
  try {
    r = await view.root.resolve(path, { followLast: follow || assertsDir });
  } catch (err) {
    if (err instanceof ScopeError && err.code === 'ENOENT') throw new ContainerFileNotFoundError(path, ref);
    if (err instanceof ScopeError) throw new InternalError(`lstat ${path}: ${err.message}`, { cause: err });
    throw err;
  }
  if (r.node === null) { await r.close(); throw new ContainerFileNotFoundError(path, ref); }
  // "file/" and "file/." ask for a directory (moby: lstat fails with ENOTDIR).
  if (assertsDir && r.path !== '/' && !(await r.node.stat()).isDirectory()) {
    await r.close();
    throw new InternalError(`lstat ${path}: not a directory`);
  }
  return r;
}

async function statOf(view: FsView, r: Resolved, path: string): Promise<ContainerPathStat> {
  const st = await r.node!.stat({ bigint: true });
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    // Fully evaluated in the root, as far as it exists (moby FollowSymlinkInScope).
    const t = await view.root.resolve(path, { followLast: true, lexicalMissing: true }).catch(() => null);
    linkTarget = t?.path ?? '';
    await t?.close();
  }
  return { name: requestBase(path), size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: rfc3339Nano(st.mtimeNs), linkTarget };
}

export async function statPath(ctx: ContainerContext, ref: string, path: string): Promise<ContainerPathStat> {
  const view = await openFsView(ctx, ref);
  try {
    const r = await resolveOrNotFound(view, path, ref, false);
    try { return await statOf(view, r, path); } finally { await r.close(); }
  } finally {
    await view.close();
  }
}

export interface ArchiveStream { stat: ContainerPathStat; tar: Readable; cancel(): void }

/** What a running container has mounted from the kernel, left out of archives of a parent dir. */
const KERNEL_MOUNTS = ['/proc', '/sys', '/dev'];

export async function archivePath(ctx: ContainerContext, ref: string, path: string): Promise<ArchiveStream> {
  const view = await openFsView(ctx, ref);
  let r: Resolved | null = null;
  try {
    r = await resolveOrNotFound(view, path, ref, false);
    const stat = await statOf(view, r, path);
    const base = requestBase(path);
    const maps = unshiftFor(ctx, view.c);
    const args = ['-c', '-f', '-', '--numeric-owner', '--anchored'];
    const esc = (x: string, re: boolean): string => x.replace(re ? /[\\^$.*[\],]/g : /[\\&,]/g, (c) => `\\${c}`);
    const node = r.node!;
    const st = await node.stat();
    let fd = node.fd;
    let member = '.';
    let cwd = '/proc/self/fd/3';
    if (r.path === '/') {
      fd = view.root.root.fd;
      // The root keeps its "/" so the client can rebase it (moby RebaseArchiveEntries).
      if (base === '/') args.push('-P', '--transform', 's,^\\.,,S');
    } else if (st.isDirectory()) {
      // Archived from its own descriptor, so a mount grafted there (a stopped container's
      // volume) is what is read; entries are named as asked ("link/" keeps "link").
      if (base !== '.') args.push('--transform', `s,^\\.,${esc(base, false)},S`);
    } else {
      const placed = await lstat(at(r.parent, r.name)).catch(() => null);
      if (placed && placed.ino === st.ino && placed.dev === st.dev) {
        fd = r.parent.fd;
        member = `./${r.name}`;
        args.push('--transform', `s,^\\./${esc(r.name, true)},${esc(base, false)},S`);
      } else {
        // A file bind-mounted over its mountpoint (stopped container): read through the descriptor.
        cwd = '/proc/self/fd';
        member = '3';
        args.push('-h', '--transform', `s,^3$,${esc(base, false)},`);
      }
    }
    if (view.live) {
      for (const k of KERNEL_MOUNTS) {
        if (k === r.path || !within(r.path, k)) continue;
        args.push(`--exclude=${member}${r.path === '/' ? k : k.slice(r.path.length)}/*`);
      }
    }
    const below = !view.live && st.isDirectory() ? view.root.mountsBelow(r.path) : [];
    const done = async (): Promise<void> => { await r?.close(); await view.close(); };
    emitContainerEvent(ctx, view.c, 'archive-path');
    if (below.length === 0) {
      args.push('-C', cwd, '--', member);
      const tar = spawnTar(args, fd, null, done, maps, tarFailureLog(ctx, view.c.config.id));
      return { stat, tar: tar.stdout, cancel: tar.cancel };
    }
    // A stopped container's volumes below the path: one tar per mount, each leaving out the
    // mounts below it, merged into one archive (the mounts' entries after their mountpoints').
    const rel = (d: string, from: string): string => (from === '/' ? d.slice(1) : d.slice(from.length + 1));
    const prefix = (d: string): string => (base === '/' ? `/${rel(d, r!.path)}` : base === '.' ? `./${rel(d, r!.path)}` : `${base}/${rel(d, r!.path)}`);
    const excludes = (from: string): string[] => below.filter((m) => m.destination.startsWith(from === '/' ? '/' : from + '/') && m.destination !== from)
      .map((m) => `--exclude=./${rel(m.destination, from)}/*`);
    const parts: (() => Promise<TarPart>)[] = [
      async () => ({ ...spawnTar([...args, ...excludes(r!.path), '-C', cwd, '--', member], fd, null, async () => undefined, maps) }),
      ...below.map((m) => async (): Promise<TarPart> => {
        const fh = await open(m.source, O_PATH | fsc.O_DIRECTORY);
        const margs = ['-c', '-f', '-', '--numeric-owner', '--anchored', ...(base === '/' ? ['-P'] : []),
          '--transform', `s,^\\.,${esc(prefix(m.destination), false)},S`, ...excludes(m.destination), '-C', '/proc/self/fd/3', '--', '.'];
        return spawnTar(margs, fh.fd, null, () => fh.close(), maps);
      }),
    ];
    return { stat, ...concatTars(parts, done) };
  } catch (err) {
    await r?.close();
    await view.close();
    throw err;
  }
}

function within(dir: string, p: string): boolean {
  return dir === '/' || p === dir || p.startsWith(dir + '/');
}

interface TarPart { stdout: Readable; cancel(): void }

/** Several tar streams as one archive: entries re-packed in order, one end-of-archive. */
function concatTars(parts: (() => Promise<TarPart>)[], cleanup: () => Promise<void>): { tar: Readable; cancel(): void } {
  const pack = tarStream.pack();
  let current: TarPart | null = null;
  let canceled = false;
  void (async () => {
    try {
      for (const start of parts) {
        if (canceled) break;
        current = await start();
        const ex = tarStream.extract();
        const feeding = pipeline(current.stdout, ex as unknown as NodeJS.WritableStream);
        for await (const entry of ex) {
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry(entry.header, (err) => (err ? reject(err) : resolve()));
            pipeline(entry as unknown as Readable, sink as unknown as NodeJS.WritableStream).catch(reject);
          });
        }
        await feeding;
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    } finally {
      await cleanup();
    }
  })();
  return {
    tar: Readable.from(pack as unknown as AsyncIterable<Buffer>),
    cancel: () => { canceled = true; current?.cancel(); pack.destroy(); },
  };
}

/**
 * GNU tar on descriptor 3; `cleanup` runs once it has exited. With `maps` (--userns-remap)
 * the owners are unshifted by GNU tar's owner and group maps, written to descriptors 4 and 5.
 */
function spawnTar(args: string[], fd: number, stdin: string | null, cleanup: () => Promise<void>, maps: OwnerMaps = null, onFailure?: (message: string) => void): { stdout: Readable; cancel(): void } {
  // The maps reach tar as pipes (bash process substitution): Node's extra stdio pipes are
  // sockets, which tar cannot open by their /proc/self/fd name.
  const [cmd, argv] = maps ? ['bash', ['-c', 'exec tar --owner-map=<(cat <&4) --group-map=<(cat <&5) "$@"', 'tar', ...args]] as const : ['tar', args] as const;
  const child = spawn(cmd, argv, { stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe', fd, ...(maps ? ['pipe', 'pipe'] as const : [])] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
  if (stdin !== null) child.stdin!.end(stdin);
  if (maps) {
    for (const [i, text] of [[4, maps.owner], [5, maps.group]] as const) {
      const w = (child.stdio as unknown as unknown[])[i] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
      w.on('error', () => undefined); // tar gone early: its exit says why
      w.end(text);
    }
  }
  child.on('close', (code, signal) => {
    // An archive that ended early shows here (the client only sees a short tar).
    // (Status 1 is GNU tar's "a file changed as we read it"; 2 or a signal is a failure.)
    if (code !== 0 && code !== 1 && signal !== 'SIGKILL') onFailure?.(`tar exited with ${code ?? signal}: ${stderr.trim().slice(0, 500)}`);
    void cleanup();
  });
  child.on('error', () => { void cleanup(); });
  return { stdout: child.stdout!, cancel: () => { child.kill('SIGKILL'); } };
}

type OwnerMaps = ReturnType<typeof ownerMaps>;

function tarFailureLog(ctx: ContainerContext, id: string): (message: string) => void {
  return (message) => ctx.log.warn({ container: id }, `archive cut short: ${message}`);
}

/** The owner maps for archives of `c`'s files: none unless the daemon remaps it (--userns-remap). */
function unshiftFor(ctx: ContainerContext, c: FsView['c']): OwnerMaps {
  return (c.config.hostConfig.UsernsMode ?? '') === 'host' ? null : ownerMaps(ctx.options.remap);
}

export interface ExtractRequest { path: string; noOverwriteDirNonDir: boolean; copyUIDGID: boolean }

export async function extractToDir(ctx: ContainerContext, ref: string, req: ExtractRequest, body: Readable): Promise<void> {
  const view = await openFsView(ctx, ref);
  try {
    const r = await resolveOrNotFound(view, req.path, ref, true);
    const isDir = (await r.node!.stat()).isDirectory();
    const target = r.path;
    await r.close();
    if (!isDir) throw new InvalidArgumentError('extraction point is not a directory');
    const c = view.c;
    // In a volume it must not be a read-only one; outside, the rootfs must not be read-only.
    const mount = [...(c.config.mounts ?? [])].filter((m) => within(m.destination, target))
      .sort((a, b) => b.destination.length - a.destination.length)[0];
    if (mount && !mount.rw) throw new InvalidArgumentError('mounted volume is marked read-only');
    if (!mount && c.config.hostConfig.ReadonlyRootfs) throw new InvalidArgumentError('container rootfs is marked read-only');
    const owner = req.copyUIDGID ? await containerUser(view) : null;
    const shift = (c.config.hostConfig.UsernsMode ?? '') === 'host' ? null : ctx.options.remap ?? null;
    await extractTar(view.root, target, body, { noOverwriteDirNonDir: req.noOverwriteDirNonDir, owner, shift });
    emitContainerEvent(ctx, c, 'extract-to-dir');
  } catch (err) {
    body.resume();
    throw err;
  } finally {
    await view.close();
  }
}

/** copyUIDGID: the container's user and group, looked up in its own passwd and group files. */
async function containerUser(view: FsView): Promise<{ uid: number; gid: number } | null> {
  const user = view.c.config.config.User ?? '';
  if (user === '') return null;
  const read = async (p: string): Promise<string | null> => {
    const r = await view.root.resolve(p, { followLast: true }).catch(() => null);
    if (!r?.node) { await r?.close(); return null; }
    try {
      const fh = await open(at(r.parent, r.name), fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try { return (await fh.read(Buffer.alloc(1 << 20), 0, 1 << 20, 0)).buffer.toString('utf8').replace(/\0+$/, ''); } finally { await fh.close(); }
    } catch { return null; } finally { await r.close(); }
  };
  const u = resolveUser(user, await read('/etc/passwd'), await read('/etc/group'));
  return { uid: u.uid, gid: u.gid };
}

/** GET /containers/{id}/export: the rootfs without mounts, entries named as Docker names them. */
export async function exportContainer(ctx: ContainerContext, ref: string): Promise<{ tar: Readable; cancel(): void }> {
  const view = await openFsView(ctx, ref, { rootfsOnly: true });
  try {
    const names = await readdir(at(view.root.root));
    const tar = spawnTar(['-c', '-f', '-', '--numeric-owner', '-C', '/proc/self/fd/3', '--null', '--verbatim-files-from', '-T', '-'],
      view.root.root.fd, names.map((n) => n + '\0').join(''), () => view.close(), unshiftFor(ctx, view.c), tarFailureLog(ctx, view.c.config.id));
    emitContainerEvent(ctx, view.c, 'export');
    return { tar: tar.stdout, cancel: tar.cancel };
  } catch (err) {
    await view.close();
    throw err;
  }
}

/** GET /containers/{id}/changes: null when nothing changed, as moby answers. */
export async function containerChanges(ctx: ContainerContext, ref: string): Promise<ContainerChange[] | null> {
  const c = ctx.store.get(ref);
  const changes = await ctx.layers.changesRW(c.config.id, c.config.imageTopLayer);
  return changes.length === 0 ? null : changes;
}
