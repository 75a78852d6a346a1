// Safe tar extraction for build contexts and ADD's local archives: streamed to disk entry by
// entry (never the whole archive in memory), gzip/bzip2/xz detected by magic bytes. Nothing
// is written outside `dest`: names are cleaned, `..` and absolute paths are refused, and no
// entry may be written through a symlink the archive created (DESIGN.md §5).
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, createWriteStream, futimesSync, openSync, writeSync } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, rm, symlink, utimes, lutimes, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawn } from 'node:child_process';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

export class ArchiveError extends Error {}

export interface ExtractOptions {
  /** Keep the archive's uid/gid (ADD does; a build context does not need them). */
  sameOwner?: boolean;
  /** Give up after this many bytes of uncompressed data (a huge context). */
  maxBytes?: number;
  /**
   * Filled with the sha256 of every regular file, computed while it is written (host path ->
   * digest, size, mtime), so the build never reads a context file again just to hash it.
   */
  digests?: FileDigests;
  /**
   * Small regular files whose names are in `names` are also kept in `files` (the Dockerfile,
   * .dockerignore: the builder reads them without going back to disk); `seen` gets every one of
   * those names the archive had, whatever its type or size. `symlinks` tells
   * whether the archive had any symlink (then a name's absence proves nothing).
   */
  keep?: { names: ReadonlySet<string>; files: Map<string, Buffer>; seen: Set<string>; symlinks: boolean };
}

/** Content digests of files by host path, valid while size and mtime (ms) are unchanged. */
export type FileDigests = Map<string, { sha256: string; size: number; mtimeMs: number }>;

/** Files up to this size are gathered and written in one call (fewer syscalls than a stream). */
const SMALL_FILE = 256 * 1024;
/** Small files are written in the background, this many bytes at most in flight. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
/**
 * The first files of an archive, while they are tiny and few, are written synchronously (open,
 * write, futimes, close on the event loop: well under a millisecond in all). A typical build
 * context is a handful of small files, and on a loaded host each thread-pool round trip of the
 * asynchronous calls costs more than the call itself; the budget bounds how long the event loop
 * is held (at most SYNC_FILES files of at most SYNC_FILE_BYTES each).
 */
const SYNC_FILES = 32;
const SYNC_FILE_BYTES = 16 * 1024;

type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | null;

export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return null;
}

/** True when the first bytes look like a tar header (ustar magic at 257) after decompression. */
export function looksLikeTar(block: Buffer): boolean {
  if (block.length < 512) return false;
  const magic = block.toString('latin1', 257, 262);
  if (magic === 'ustar') return true;
  // v7 tar: check the header checksum
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/\0.*$/, '').trim(), 8);
  return stored === sum;
}

/** The decompressed stream of `input` (gzip in-process; bzip2, xz, zstd through their tools). */
function decompressed(input: Readable, c: Compression): Readable {
  if (c === null) return input;
  if (c === 'gzip') {
    const gz = createGunzip();
    pipeline(input, gz).catch((e: Error) => gz.destroy(e));
    return gz;
  }
  const tool = c === 'bzip2' ? 'bzip2' : c === 'xz' ? 'xz' : 'zstd';
  const p = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out = p.stdout;
  p.on('error', (e) => out.destroy(new ArchiveError(`${tool}: ${e.message}`)));
  p.on('close', (code) => { if (code !== 0) out.destroy(new ArchiveError(`${tool} exited with ${code}`)); });
  pipeline(input, p.stdin).catch(() => p.kill());
  return out;
}

/** Reads the first bytes of a stream without consuming them. */
export async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const chunk: Buffer | null = await new Promise((resolve, reject) => {
      const onReadable = (): void => { const c = input.read() as Buffer | null; if (c !== null) { done(); resolve(c); } };
      const onEnd = (): void => { done(); resolve(null); };
      const onError = (e: Error): void => { done(); reject(e); };
      const done = (): void => { input.off('readable', onReadable); input.off('end', onEnd); input.off('error', onError); };
      input.on('readable', onReadable); input.on('end', onEnd); input.on('error', onError);
      onReadable();
    });
    if (chunk === null) break;
    chunks.push(chunk);
    len += chunk.length;
  }
  const all = Buffer.concat(chunks);
  if (all.length) input.unshift(all);
  return all.subarray(0, n);
}

/** Cleans an archive member name; null when it would leave the destination. */
export function cleanMemberName(name: string): string | null {
  const n = posix.normalize('/' + name.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
  if (n === '' || n === '.') return '';
  if (name.split('/').includes('..')) {
    // normalize already removed inner `..`; refuse names that tried to climb out
    const parts: string[] = [];
    for (const p of name.split('/')) {
      if (p === '..') { if (parts.length === 0) return null; parts.pop(); } else if (p !== '' && p !== '.') parts.push(p);
    }
  }
  return n;
}

/** Extracts a (possibly compressed) tar stream into `dest`. Returns the uncompressed byte count. */
export async function extractTar(input: Readable, dest: string, opts: ExtractOptions = {}): Promise<number> {
  await mkdir(dest, { recursive: true });
  const head = await peek(input, 6);
  const comp = compressionOf(head);
  const ex = extract();
  const links = new Set<string>(); // symlinks created, relative
  const dirTimes: [string, Date][] = [];
  const made = new Set<string>([dest]);
  const written = new Set<string>();
  const umask = process.umask();
  let bytes = 0;
  // Writes of small files in flight (their order does not matter: each has its own path);
  // waited for before a name is reused, a hard link is made, and at the end.
  let pending: Promise<void>[] = [];
  let pendingBytes = 0;
  let writeError: unknown = null;
  let syncLeft = SYNC_FILES;
  const flush = async (): Promise<void> => {
    const p = pending;
    pending = [];
    pendingBytes = 0;
    await Promise.all(p);
    if (writeError !== null) throw writeError;
  };
  const throughSymlink = (rel: string): boolean => {
    let cur = '';
    for (const part of rel.split('/').slice(0, -1)) {
      cur = cur ? `${cur}/${part}` : part;
      if (links.has(cur)) return true;
    }
    return false;
  };
  const work = (async () => {
    for await (const entry of ex) {
      const h = entry.header;
      const name = cleanMemberName(h.name);
      const drain = async (): Promise<void> => { for await (const _ of entry) { /* skip */ } };
      if (name === null) { await drain(); throw new ArchiveError(`invalid archive member ${JSON.stringify(h.name)}: path escapes the destination`); }
      if (name === '' || throughSymlink(name)) { await drain(); continue; }
      bytes += 512 + (h.size ?? 0);
      if (opts.maxBytes !== undefined && bytes > opts.maxBytes) { await drain(); throw new ArchiveError(`archive is larger than ${opts.maxBytes} bytes`); }
      const p = join(dest, name);
      // Fewer syscalls per entry: parents made once, no lstat for a name not written before.
      const parent = dirname(p);
      if (!made.has(parent)) { await mkdir(parent, { recursive: true }); made.add(parent); }
      if (written.has(name) || h.type === 'link') await flush();
      const existing = written.has(name) ? await lstat(p).catch(() => null) : null;
      written.add(name);
      if (existing && !(existing.isDirectory() && h.type === 'directory')) {
        await rm(p, { recursive: true, force: true });
        links.delete(name);
      }
      opts.keep?.files.delete(name);
      if (opts.keep?.names.has(name)) opts.keep.seen.add(name);
      const mode = (h.mode ?? 0o644) & 0o7777;
      switch (h.type) {
        case 'directory':
          await mkdir(p, { recursive: true });
          made.add(p);
          await chmod(p, mode);
          dirTimes.push([p, h.mtime ?? new Date()]);
          await drain();
          break;
        case 'file':
        case 'contiguous-file': {
          const hash = opts.digests ? createHash('sha256') : null;
          const mtime = h.mtime ?? new Date();
          const uid = h.uid ?? 0;
          const gid = h.gid ?? 0;
          const finish = async (): Promise<void> => {
            if ((mode & ~umask) !== mode) await chmod(p, mode);
            if (opts.sameOwner) await lchown(p, uid, gid).catch(() => undefined);
            await utimes(p, mtime, mtime);
          };
          if ((h.size ?? 0) <= SMALL_FILE) {
            const chunks: Buffer[] = [];
            for await (const c of entry) { chunks.push(c as Buffer); hash?.update(c as Buffer); }
            const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
            if (opts.keep?.names.has(name)) opts.keep.files.set(name, buf);
            if (syncLeft > 0 && buf.length <= SYNC_FILE_BYTES && !opts.sameOwner) {
              syncLeft--;
              const fd = openSync(p, 'w', mode);
              try {
                for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
                if ((mode & ~umask) !== mode) chmodSync(p, mode);
                futimesSync(fd, mtime, mtime);
              } finally {
                closeSync(fd);
              }
            } else {
              pending.push(writeFile(p, buf, { mode }).then(finish).catch((e: unknown) => { writeError ??= e; }));
              pendingBytes += buf.length;
              if (pendingBytes > MAX_PENDING_BYTES || pending.length >= 256) await flush();
            }
          } else {
            const sink = createWriteStream(p, { mode });
            if (hash) entry.on('data', (c: unknown) => { hash.update(c as Buffer); });
            await pipeline(entry, sink);
            await finish();
          }
          if (hash) opts.digests!.set(p, { sha256: hash.digest('hex'), size: h.size ?? 0, mtimeMs: mtime.getTime() });
          continue;
        }
        case 'symlink':
          await drain();
          await symlink(h.linkname ?? '', p);
          links.add(name);
          if (opts.keep) opts.keep.symlinks = true;
          break;
        case 'link': {
          await drain();
          const target = cleanMemberName(h.linkname ?? '');
          if (target === null || target === '' || throughSymlink(target) || links.has(target)) throw new ArchiveError(`invalid hard link ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}`);
          await link(join(dest, target), p);
          break;
        }
        default:
          await drain(); // devices and fifos are not needed in a build context
          continue;
      }
      if (opts.sameOwner && h.type !== 'link') await lchown(p, h.uid ?? 0, h.gid ?? 0).catch(() => undefined);
      if (h.type === 'symlink') await lutimes(p, h.mtime ?? new Date(), h.mtime ?? new Date()).catch(() => undefined);
    }
    await flush();
  })();
  try {
    await Promise.all([pipeline(decompressed(input, comp), ex as unknown as NodeJS.WritableStream), work]);
  } catch (err) {
    ex.destroy();
    await Promise.all(pending); // nothing is left writing into a directory the caller removes
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError((err as Error).message || String(err));
  }
  for (const [p, t] of dirTimes.reverse()) await utimes(p, t, t).catch(() => undefined);
  return bytes;
}
