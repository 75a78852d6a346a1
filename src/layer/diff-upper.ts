// The layer differ: an overlay upper dir (a container's changes, or a directory built in
// overlay format) -> an OCI layer tar, streamed. Conversions (OCI image-spec layer.md,
// moby pkg/archive overlay whiteout converter): a whiteout (char device 0:0) becomes an
// empty regular file `.wh.<name>`, an opaque directory (xattr trusted.overlay.opaque=y)
// gets a `.wh..wh..opq` entry after its header. Entries come in lexical order, hard links
// as link entries, owners numeric. The diffID is the sha256 of exactly these bytes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as tarStream from 'tar-stream';
import type { Header as TarHeader } from 'tar-stream';
import { isOpaqueDir } from './xattr.ts';
import type { IdShift } from './id-shift.ts';

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

type Header = Partial<TarHeader> & Pick<TarHeader, 'name'>;

const EMPTY = Buffer.alloc(0);

function devMajor(rdev: number): number { return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff); }
function devMinor(rdev: number): number { return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff); }

/** Streams the layer tar of `dir`. `onEntry` sees each entry's header. */
/**
 * Under --userns-remap a container's files are owned by shifted host ids; the layer tar
 * names the container's own ids (what dockerd writes too), so `unshift` takes the offset
 * off owners inside the remapped range (65536 ids) and leaves any other owner as it is.
 */
function unmapId(id: number, offset: number | undefined): number {
  return offset !== undefined && offset > 0 && id >= offset && id < offset + 65536 ? id - offset : id;
}

export function tarUpperDir(dir: string, onEntry?: (h: Header) => void, unshift?: IdShift | null): Readable {
  const pack = tarStream.pack();
  const add = (h: Header, body?: string): Promise<void> => new Promise((resolve, reject) => {
    onEntry?.(h);
    if (body === undefined) {
      if (h.type === 'file') pack.entry(h, EMPTY, (err) => (err ? reject(err) : resolve()));
      else pack.entry(h, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(h, (err) => (err ? reject(err) : resolve()));
    const rs = createReadStream(body);
    rs.on('error', (e) => { sink.destroy(e); reject(e); });
    rs.pipe(sink as unknown as NodeJS.WritableStream);
  });
  const links = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const p = join(dir, r);
      const st = await lstat(p);
      const base: Header = { name: r, mode: st.mode & 0o7777, uid: unmapId(st.uid, unshift?.uid), gid: unmapId(st.gid, unshift?.gid), mtime: st.mtime };
      if (st.isCharacterDevice() && st.rdev === 0) {
        await add({ ...base, name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, mode: 0o600, type: 'file', size: 0 });
      } else if (st.isDirectory()) {
        await add({ ...base, type: 'directory' });
        if (isOpaqueDir(p)) await add({ ...base, name: `${r}/.wh..wh..opq`, mode: 0o600, type: 'file', size: 0 });
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await add({ ...base, type: 'symlink', linkname: await readlink(p) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          await add({ ...base, type: 'link', linkname: first, size: 0 });
        } else {
          if (st.nlink > 1) links.set(key, r);
          await add({ ...base, type: 'file', size: st.size }, st.size > 0 ? p : undefined);
        }
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await add({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
      } else if (st.isFIFO()) {
        await add({ ...base, type: 'fifo' });
      } // sockets are not archived (as in Docker)
    }
  };
  walk('').then(() => pack.finalize(), (err: Error) => pack.destroy(err));
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

/**
 * Diffs an upper dir: streams its tar into `sink` when given (e.g. a file or a client) and
 * returns the diffID and size. Nothing is held in memory beyond a chunk.
 */
export async function diffUpperDir(dir: string, sink?: Writable, unshift?: IdShift | null): Promise<DiffStats> {
  const hash = createHash('sha256');
  let size = 0;
  let entries = 0;
  let contentSize = 0;
  const tar = tarUpperDir(dir, (h) => {
    entries++;
    if (h.type === 'file') contentSize += h.size ?? 0;
    else if (h.type === 'symlink') contentSize += Buffer.byteLength(h.linkname ?? '');
  }, unshift);
  for await (const chunk of tar as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (sink && !sink.write(chunk)) await new Promise<void>((res) => sink.once('drain', res));
  }
  if (sink) await new Promise<void>((res, rej) => sink.end((err?: Error | null) => (err ? rej(err) : res())));
  return { diffId: `sha256:${hash.digest('hex')}`, size, entries, contentSize };
}
