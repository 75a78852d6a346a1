// PUT /containers/{id}/archive: a tar extracted into a directory of a container, in-process
// (tar-stream) and relative to descriptors, never to host path strings (moby pkg/archive
// Untar run in a chroot; here ScopedRoot does the confining). Rules, in Docker's wording:
//   - entries with an absolute name or a `..` that climbs out are refused ("%q is outside of %q")
//   - every entry's parent, symlinks followed inside the root, must lie within the target
//     directory; missing parents are made (0755)
//   - a relative symlink target that climbs out of the target, or a hard link to a name
//     outside it, is refused ("invalid symlink", "invalid hardlink")
//   - noOverwriteDirNonDir: a directory never replaces a non-directory or the reverse
//   - owners come from the tar unless an owner is given (copyUIDGID: the container's user)
//   - xattrs from PAX SCHILY.xattr.* records are set where the filesystem allows
// Files are created with O_EXCL|O_NOFOLLOW after removing what was there, and modes,
// owners and times are set on the open descriptor, so a racing container cannot redirect
// a write, chmod or chown to another file.
import { constants as fsc } from 'node:fs';
import { link, lchown, lstat, lutimes, mkdir, open, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { spawn } from 'node:child_process';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { InvalidArgumentError, InternalError } from '../lib/index.ts';
import { at, ScopedRoot, ScopeError } from './scoped-path.ts';
import { mknodAt, S_IFBLK, S_IFCHR, S_IFIFO } from './mknod.ts';
import { lsetxattr } from '../layer/index.ts';
import { PaxXattrs } from './pax-xattrs.ts';

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  /** Owner of everything written (copyUIDGID); null keeps the tar's uid/gid. */
  owner: { uid: number; gid: number } | null;
  /** --userns-remap: container ids are written shifted to the host range (moby IDMap). */
  shift?: { uid: number; gid: number; uidSize: number; gidSize: number } | null;
}

function shifted(id: number, base: number, size: number): number {
  return id < size ? base + id : id;
}

/** A tar entry that would write outside its target (moby archive breakoutError). */
export class BreakoutError extends InvalidArgumentError {}

const q = (s: string): string => JSON.stringify(s);
const within = (dir: string, p: string): boolean => dir === '/' || p === dir || p.startsWith(dir + '/');

/** The first `n` bytes of the body or all of a shorter one (fewer only at its end), read without an iterator that would own the stream. */
function firstBytes(input: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    let size = 0;
    const onReadable = (): void => {
      for (let c = input.read() as Buffer | null; c !== null; c = input.read() as Buffer | null) {
        got.push(c);
        size += c.length;
        if (size >= n) { cleanup(); resolve(Buffer.concat(got)); return; }
      }
    };
    const onEnd = (): void => { cleanup(); resolve(Buffer.concat(got)); };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    const cleanup = (): void => { input.off('readable', onReadable); input.off('end', onEnd); input.off('error', onError); };
    input.on('readable', onReadable);
    input.on('end', onEnd);
    input.on('error', onError);
    onReadable();
  });
}

/** The compression of a stream by its first bytes (moby pkg/archive DetectCompression). */
export function detectCompression(b: Buffer): 'gzip' | 'bzip2' | 'xz' | 'zstd' | null {
  const starts = (m: number[]): boolean => b.length >= m.length && m.every((x, i) => b[i] === x);
  if (starts([0x1f, 0x8b, 0x08])) return 'gzip';
  if (starts([0x42, 0x5a, 0x68])) return 'bzip2';
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return null;
}

/** A decompressor tool as a Duplex-like pair: its stdin takes the body, its stdout gives the tar. */
function toolStream(tool: string): { sink: Writable; out: Readable; done: Promise<void> } {
  const child = spawn(tool, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { if (err.length < 4096) err += d.toString(); });
  child.stdin!.on('error', () => undefined); // the tool gone early: its exit says why
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new InvalidArgumentError(`cannot decompress the archive with ${tool}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new InvalidArgumentError(`${tool}: ${err.trim() || `exit ${code}`}`))));
  });
  done.catch(() => undefined);
  return { sink: child.stdin!, out: child.stdout!, done };
}

/**
 * Feeds the body into the extractor, decompressed as Docker's DecompressStream does:
 * uncompressed, gzip (zlib), bzip2, xz and zstd (their tools).
 */
async function feed(input: Readable, ex: Writable): Promise<void> {
  const first = await firstBytes(input, 6);
  if (first.length === 0) { ex.end(); return; }
  const kind = detectCompression(first);
  let sink: Writable = ex;
  let done: Promise<unknown> | null = null;
  if (kind === 'gzip') {
    sink = createGunzip();
    done = pipeline(sink as unknown as Readable, ex);
  } else if (kind !== null) {
    const t = toolStream(kind);
    sink = t.sink;
    done = Promise.all([pipeline(t.out, ex), t.done]);
  }
  sink.write(first);
  if (input.readableEnded) sink.end(); else await pipeline(input, sink);
  await done;
}

export async function extractTar(root: ScopedRoot, target: string, input: Readable, o: ExtractOptions): Promise<void> {
  const x = new Extractor(root, target, o);
  const ex = tarStream.extract();
  // The raw xattr records walk along (tar-stream hands PAX values over as UTF-8 text).
  const xattrs = new PaxXattrs();
  xattrs.pipe(ex as unknown as Writable);
  xattrs.on('error', (err) => ex.destroy(err));
  // A failure to read or decompress the body fails the extraction, even after the tar's end.
  const feeding = feed(input, xattrs).then(() => null, (err: unknown) => { ex.destroy(err as Error); return err; });
  try {
    let n = 0;
    for await (const entry of ex) {
      try {
        await x.apply(entry.header, entry as unknown as Readable, xattrs.xattrsOf(n++));
      } finally {
        entry.resume();
      }
    }
    const failed = await feeding;
    if (failed) throw failed;
    await x.finish();
  } catch (err) {
    input.resume(); // let the client finish sending so it reads the answer
    throw err;
  }
}

class Extractor {
  /** Canonical parent dirs already checked, by their name in the archive. */
  readonly #dirs = new Map<string, string>();
  readonly #dirTimes: { path: string; mtime: Date }[] = [];
  constructor(readonly root: ScopedRoot, readonly target: string, readonly o: ExtractOptions) {}

  async apply(h: tarStream.Header, body: Readable, xattrs: Map<string, Buffer> = new Map()): Promise<void> {
    const raw = h.name;
    const name = posix.normalize(raw).replace(/\/+$/, '');
    if (raw.startsWith('/') || name === '..' || name.startsWith('../')) throw new BreakoutError(`${q(raw)} is outside of ${q(this.target)}`);
    if (name === '.' || name === '' || (h.type as string).startsWith('pax-')) return;
    const parent = await this.#parentDir(raw, posix.dirname(name));
    const base = posix.basename(name);
    const cpath = posix.join(parent.path, base);
    const dir = parent.node!;
    try {
      await this.#write(h, body, dir, base, cpath, xattrs);
    } finally {
      await parent.close();
    }
  }

  /** The entry's directory, resolved in the root (made when missing) and checked to be in the target. */
  async #parentDir(raw: string, rel: string): Promise<Awaited<ReturnType<ScopedRoot['resolve']>>> {
    let canonical = this.#dirs.get(rel);
    if (canonical === undefined) {
      let cur = this.target;
      for (const part of rel === '.' ? [] : rel.split('/')) {
        let r = await this.root.resolve(posix.join(cur, part), { followLast: true }).catch((err: unknown) => {
          // A symlink on the way that points at nothing (or at a file): refused, not followed.
          if (err instanceof ScopeError) throw new InvalidArgumentError(`cannot extract ${q(raw)}: ${err.message}`);
          throw err;
        });
        if (r.node === null) {
          await mkdir(at(r.parent, r.name), { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
          const sh = this.o.shift ?? null;
          const own = this.o.owner ?? (sh ? { uid: 0, gid: 0 } : null);
          if (own) await lchown(at(r.parent, r.name), sh ? shifted(own.uid, sh.uid, sh.uidSize) : own.uid, sh ? shifted(own.gid, sh.gid, sh.gidSize) : own.gid);
          await r.close();
          r = await this.root.resolve(posix.join(cur, part), { followLast: true });
        }
        const isDir = r.node !== null && (await r.node.stat()).isDirectory();
        cur = r.path;
        await r.close();
        if (!within(this.target, cur)) throw new BreakoutError(`${q(raw)} is outside of ${q(this.target)}`);
        if (!isDir) throw new InvalidArgumentError(`cannot extract ${q(raw)}: ${cur} is not a directory`);
      }
      canonical = cur;
      this.#dirs.set(rel, canonical);
    }
    const r = await this.root.resolve(canonical, { followLast: true });
    if (r.node === null || !within(this.target, r.path)) {
      await r.close();
      throw new BreakoutError(`${q(raw)} is outside of ${q(this.target)}`);
    }
    return r;
  }

  async #write(h: tarStream.Header, body: Readable, dir: FileHandle, base: string, cpath: string, xattrs: Map<string, Buffer>): Promise<void> {
    const dest = at(dir, base);
    const mode = (h.mode ?? 0o644) & 0o7777;
    const sh = this.o.shift ?? null;
    const uid = sh ? shifted(this.o.owner?.uid ?? h.uid ?? 0, sh.uid, sh.uidSize) : this.o.owner?.uid ?? h.uid ?? 0;
    const gid = sh ? shifted(this.o.owner?.gid ?? h.gid ?? 0, sh.gid, sh.gidSize) : this.o.owner?.gid ?? h.gid ?? 0;
    const mtime = h.mtime ?? new Date();
    const isDirEntry = h.type === 'directory';
    const existing = await lstat(dest).catch(() => null);
    if (existing) {
      if (this.o.noOverwriteDirNonDir && existing.isDirectory() && !isDirEntry) {
        throw new InvalidArgumentError(`cannot overwrite directory ${q(cpath)} with non-directory ${q(this.target)}`);
      }
      if (this.o.noOverwriteDirNonDir && !existing.isDirectory() && isDirEntry) {
        throw new InvalidArgumentError(`cannot overwrite non-directory ${q(cpath)} with directory ${q(this.target)}`);
      }
      if (!(existing.isDirectory() && isDirEntry)) await removeAt(dir, base, existing.isDirectory());
    }
    switch (h.type) {
      case 'directory': {
        if (!existing) await mkdir(dest, { mode });
        const fh = await open(dest, fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW);
        try { await fh.chown(uid, gid); setXattrs(xattrs, dest); await fh.chmod(mode); } finally { await fh.close(); }
        this.#dirTimes.push({ path: cpath, mtime });
        return;
      }
      case 'file':
      case 'contiguous-file': {
        const fh = await open(dest, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, mode);
        try {
          await writeAll(body, fh);
          await fh.chown(uid, gid);
          setXattrs(xattrs, dest); // after chown, which drops security.capability
          await fh.chmod(mode); // after chown, which clears setuid bits
          await fh.utimes(mtime, mtime);
        } finally {
          await fh.close();
        }
        return;
      }
      case 'symlink': {
        const target = h.linkname ?? '';
        // A relative target is checked as moby does (Join(dir(path), target) inside the
        // extraction dir); an absolute one is read inside the container, like any symlink.
        if (!target.startsWith('/') && !within(this.target, posix.join(posix.dirname(cpath), target))) {
          throw new BreakoutError(`invalid symlink ${q(cpath)} -> ${q(target)}`);
        }
        await symlink(target, dest);
        await lchown(dest, uid, gid);
        setXattrs(xattrs, dest);
        await lutimes(dest, mtime, mtime);
        return;
      }
      case 'link': {
        const ln = posix.normalize(h.linkname ?? '');
        if (ln.startsWith('/') || ln === '..' || ln.startsWith('../')) throw new BreakoutError(`invalid hardlink ${q(cpath)} -> ${q(h.linkname ?? '')}`);
        const src = await this.root.resolve(posix.join(this.target, ln));
        try {
          if (src.node === null || !within(this.target, src.path)) throw new BreakoutError(`invalid hardlink ${q(cpath)} -> ${q(h.linkname ?? '')}`);
          await link(at(src.parent, src.name), dest);
        } finally {
          await src.close();
        }
        return;
      }
      case 'fifo':
      case 'character-device':
      case 'block-device': {
        const kind = h.type === 'fifo' ? S_IFIFO : h.type === 'character-device' ? S_IFCHR : S_IFBLK;
        mknodAt(dir.fd, base, kind | mode, h.devmajor ?? 0, h.devminor ?? 0);
        await lchown(dest, uid, gid);
        setXattrs(xattrs, dest);
        await lutimes(dest, mtime, mtime);
        return;
      }
      default:
        return;
    }
  }

  /** Directory times last, as moby does: writing into a directory changes its mtime. */
  async finish(): Promise<void> {
    for (const d of this.#dirTimes.reverse()) {
      const r = await this.root.resolve(d.path).catch(() => null);
      if (!r?.node) { await r?.close(); continue; }
      try {
        const fh = await open(at(r.parent, r.name), fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW);
        try { await fh.utimes(d.mtime, d.mtime); } finally { await fh.close(); }
      } catch { /* replaced meanwhile */ } finally {
        await r.close();
      }
    }
  }
}

/**
 * The entry's xattrs (PAX SCHILY.xattr.* records, byte for byte) on `dest`, not following a
 * symlink, where the filesystem allows (moby ignores ENOTSUP and EPERM; here every refusal
 * is ignored: a filesystem or namespace that does not take an xattr does not fail the copy).
 */
function setXattrs(xattrs: Map<string, Buffer>, dest: string): void {
  for (const [name, value] of xattrs) lsetxattr(dest, name, value);
}

/** The entry's bytes into the file, a writev per MiB (tar-stream hands over network-sized chunks). */
async function writeAll(body: Readable, fh: FileHandle): Promise<void> {
  let batch: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    batch.push(chunk);
    size += chunk.length;
    if (size >= 1 << 20) { await fh.writev(batch); batch = []; size = 0; }
  }
  if (batch.length > 0) await fh.writev(batch);
}

/** Removes what is in the way; a directory with GNU rm, which walks with descriptors (fts). */
async function removeAt(dir: FileHandle, base: string, isDir: boolean): Promise<void> {
  if (!isDir) { await unlink(at(dir, base)); return; }
  await new Promise<void>((resolve, reject) => {
    const rm = spawn('rm', ['-rf', '--one-file-system', '--', `/proc/self/fd/3/${base}`], { stdio: ['ignore', 'ignore', 'pipe', dir.fd] });
    let err = '';
    rm.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    rm.on('error', reject);
    rm.on('close', (code) => (code === 0 ? resolve() : reject(new InternalError(`cannot remove ${base}: ${err.trim()}`))));
  });
}

