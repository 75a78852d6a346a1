// The layer differ: an overlay upper dir (a container's changes, or a directory built in
// overlay format) -> an OCI layer tar, streamed. Conversions (OCI image-spec layer.md,
// moby pkg/archive overlay whiteout converter): a whiteout (char device 0:0) becomes an
// empty regular file `.wh.<name>`, an opaque directory (xattr trusted.overlay.opaque=y)
// gets a `.wh..wh..opq` entry after its header. Entries come in lexical order, hard links
// as link entries, owners numeric with the host's names (go-tar.ts writes the headers as
// dockerd does). The diffID is the sha256 of exactly these bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { isOpaqueDir, lgetxattr } from './xattr.ts';
import type { IdShift } from './id-shift.ts';
import { encodeHeader, END_OF_ARCHIVE, padding, type GoTarHeader } from './go-tar.ts';

export interface DiffStats {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Bytes of the tar. */
  size: number;
  /** Entries written (files, dirs, links, whiteouts). */
  entries: number;
  /** Bytes of the files themselves (regular files once per inode, symlink targets): Docker's DiffSize. */
  contentSize: number;
}

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const WHITEOUT_PREFIX = '.wh.';
const CHUNK = 1 << 20;

function devMajor(rdev: number): number { return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff); }
function devMinor(rdev: number): number { return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff); }

/**
 * Under --userns-remap a container's files are owned by shifted host ids; the layer tar
 * names the container's own ids (what dockerd writes too), so `unshift` takes the offset
 * off owners inside the remapped range (65536 ids) and leaves any other owner as it is.
 */
function unmapId(id: number, offset: number | undefined): number {
  return offset !== undefined && offset > 0 && id >= offset && id < offset + 65536 ? id - offset : id;
}

/**
 * The host's user and group names by id, as Go's archive/tar FileInfoHeader looks them up
 * (os/user: the first entry of /etc/passwd and /etc/group with that id). dockerd 20.10 puts
 * them in its layer tars, so berth does too.
 */
export function hostNames(passwd: string | null, group: string | null): { user: Map<number, string>; group: Map<number, string> } {
  const parse = (text: string | null, idField: number): Map<number, string> => {
    const m = new Map<number, string>();
    for (const line of (text ?? '').split('\n')) {
      if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
      const f = line.split(':');
      if (f.length <= idField || !/^\d+$/.test(f[idField]!)) continue;
      const id = Number(f[idField]);
      if (!m.has(id)) m.set(id, f[0]!);
    }
    return m;
  };
  return { user: parse(passwd, 2), group: parse(group, 2) };
}

function readHostNames(): ReturnType<typeof hostNames> {
  const read = (p: string): string | null => { try { return readFileSync(p, 'utf8'); } catch { return null; } };
  return hostNames(read('/etc/passwd'), read('/etc/group'));
}

/** security.capability, the one xattr moby puts in a layer tar (a v3 capability as v2). */
function capabilityXattr(path: string): [string, Buffer][] | undefined {
  const cap = lgetxattr(path, 'security.capability');
  if (cap === null) return undefined;
  if (cap.length > 3 && cap[3] === 3) {
    const v2 = Buffer.from(cap.subarray(0, 20));
    v2[3] = 2;
    return [['security.capability', v2]];
  }
  return [['security.capability', cap]];
}

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The layer tar of `dir`, as chunks: moby pkg/archive TarWithOptions with the overlay
 * whiteout converter, written by Go's archive/tar (go-tar.ts): names in byte order, a dir
 * before its entries (with a trailing '/'), the mode with its file type bits (dockerd
 * 20.10's fillGo18FileTypeBits), mtimes in whole seconds, owners numeric with the host's
 * names, security.capability as a PAX record, a name seen again (nlink > 1) as a hard link
 * to its first name. `onEntry` sees each entry's header.
 */
async function* tarChunks(dir: string, onEntry?: (h: GoTarHeader) => void, unshift?: IdShift | null, exclude?: ReadonlySet<string>): AsyncGenerator<Buffer> {
  const names = readHostNames();
  const links = new Map<bigint, string>();
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const queue = (b: Buffer): void => { pending.push(b); pendingSize += b.length; };
  const flush = (): Buffer | null => {
    if (pendingSize === 0) return null;
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    return out;
  };
  const header = (h: GoTarHeader): void => { onEntry?.(h); queue(encodeHeader(h)); };

  async function* file(path: string, size: number, name: string): AsyncGenerator<Buffer> {
    const fh = await open(path, 'r');
    // One read ahead: the next chunk is read (on the thread pool) while this one is hashed.
    let left = size;
    const read = async (): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(Math.min(left, CHUNK));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw new Error(`archive/tar: ${name} shrank while it was archived (${left} bytes missing)`);
      left -= bytesRead;
      return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    };
    let next: Promise<Buffer> | null = read();
    try {
      while (next !== null) {
        const chunk: Buffer = await next;
        next = left > 0 ? read() : null;
        if (chunk.length >= 65536) {
          const p = flush();
          if (p) yield p;
          yield chunk;
        } else {
          queue(chunk);
        }
      }
    } finally {
      await next?.catch(() => undefined);
      await fh.close();
    }
    const pad = padding(size);
    if (pad > 0) queue(Buffer.alloc(pad));
  }

  async function* walk(rel: string): AsyncGenerator<Buffer> {
    const entries = (await readdir(join(dir, rel))).sort(byteOrder);
    for (const entry of entries) {
      const r = rel ? `${rel}/${entry}` : entry;
      if (exclude?.has(r)) continue;
      const p = join(dir, r);
      const st = await lstat(p, { bigint: true });
      const mode = Number(st.mode);
      const uid = Number(st.uid);
      const gid = Number(st.gid);
      const isDir = (mode & S_IFMT) === 0o040000;
      const isWhiteout = (mode & S_IFMT) === S_IFCHR && st.rdev === 0n;
      const keepIds = isWhiteout || entry.startsWith(WHITEOUT_PREFIX);
      const h: GoTarHeader = {
        name: isDir ? `${r}/` : r, type: '0', mode: mode & 0o177777, size: 0,
        uid: keepIds ? uid : unmapId(uid, unshift?.uid), gid: keepIds ? gid : unmapId(gid, unshift?.gid),
        mtime: Number(st.mtimeNs / 1_000_000_000n) - (st.mtimeNs < 0n && st.mtimeNs % 1_000_000_000n !== 0n ? 1 : 0),
        uname: names.user.get(uid) ?? '', gname: names.group.get(gid) ?? '',
      };
      if (st.isDirectory()) h.type = '5';
      else if (st.isSymbolicLink()) { h.type = '2'; h.linkname = await readlink(p); }
      else if (st.isFile()) { h.type = '0'; h.size = Number(st.size); }
      else if (st.isCharacterDevice() || st.isBlockDevice()) {
        h.type = st.isCharacterDevice() ? '3' : '4';
        h.devmajor = devMajor(Number(st.rdev));
        h.devminor = devMinor(Number(st.rdev));
      } else if (st.isFIFO()) h.type = '6';
      else continue; // sockets are not archived (as in Docker)
      const xattrs = capabilityXattr(p);
      if (xattrs) h.xattrs = xattrs;
      if (!isDir && st.nlink > 1n) {
        const first = links.get(st.ino);
        if (first !== undefined) {
          h.type = '1';
          h.linkname = first;
          h.size = 0;
        } else {
          links.set(st.ino, r);
        }
      }
      if (isWhiteout) {
        // moby's overlay whiteout converter: the 0:0 device becomes an empty .wh. file.
        h.name = rel ? `${rel}/${WHITEOUT_PREFIX}${entry}` : `${WHITEOUT_PREFIX}${entry}`;
        h.mode = 0o600;
        h.type = '0';
        h.size = 0;
        h.devmajor = 0;
        h.devminor = 0;
      }
      header(h);
      if (isDir) {
        if (isOpaqueDir(p)) {
          // The opaque marker inherits the dir's owners and permission bits, not its mtime.
          header({ name: `${r}/.wh..wh..opq`, type: '0', mode: h.mode & 0o777, uid: h.uid, gid: h.gid, uname: h.uname, gname: h.gname, size: 0, mtime: 0 });
        }
        yield* walk(r);
      } else if (h.type === '0' && h.size > 0) {
        yield* file(p, h.size, r);
      }
      if (pendingSize >= CHUNK) yield flush()!;
    }
  }

  yield* walk('');
  queue(END_OF_ARCHIVE);
  yield flush()!;
}

/** Streams the layer tar of `dir`. `onEntry` sees each entry's header. */
export function tarUpperDir(dir: string, onEntry?: (h: GoTarHeader) => void, unshift?: IdShift | null, exclude?: ReadonlySet<string>): Readable {
  return Readable.from(tarChunks(dir, onEntry, unshift, exclude), { objectMode: false, highWaterMark: CHUNK });
}

/**
 * Diffs an upper dir: streams its tar into `sink` when given (e.g. a file or a client) and
 * returns the diffID and size. Nothing is held in memory beyond a chunk. `exclude`: relative
 * paths left out (with everything under them).
 */
export async function diffUpperDir(dir: string, sink?: Writable, unshift?: IdShift | null, exclude?: ReadonlySet<string>): Promise<DiffStats> {
  const hash = createHash('sha256');
  let size = 0;
  let entries = 0;
  let contentSize = 0;
  const chunks = tarChunks(dir, (h) => {
    entries++;
    if (h.type === '0') contentSize += h.size;
    else if (h.type === '2') contentSize += Buffer.byteLength(h.linkname ?? '');
  }, unshift, exclude);
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
    if (sink && !sink.write(chunk)) await new Promise<void>((res) => sink.once('drain', res));
  }
  if (sink) await new Promise<void>((res, rej) => sink.end((err?: Error | null) => (err ? rej(err) : res())));
  return { diffId: `sha256:${hash.digest('hex')}`, size, entries, contentSize };
}
