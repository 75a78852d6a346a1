// tar-split (after vbatts/tar-split, which moby uses for the same purpose): a layer tar is
// extracted into the graph driver, and its exact bytes must come back later (docker save,
// push: the sha256 of the tar is the diffID in the image config). While the tar streams
// through, the recorder keeps every byte that is not file content (header blocks, pax and
// GNU long-name records, padding, the end-of-archive blocks and whatever follows them) and,
// for each regular file's content, only its name and size. The replayer rebuilds the stream
// from that record plus the files read from the layer's diff dir.
//
// Record format (gzip'd): "BTS1", then records:
//   'R' u32 length, bytes           raw bytes, copied as they are
//   'F' u16 name length, name, u64  `size` bytes of the file `name` (relative to the diff dir)
//
// The same parser is the guard in front of `tar -x` (the one header parser a layer apply
// runs): it fails the stream on the first entry that would land outside the target, before
// tar sees that entry's header: an absolute name, a name whose ".." climbs above the root, a
// hard link to such a path, and any entry below a symlink the same tar made (tar would write
// through it; one that points outside is named as such). GNU tar refuses most of these too,
// but with a warning buried in its stderr after writing what came before; the guard gives
// one clear error and the caller removes the half-extracted directory.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { createGzip, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../lib/index.ts';

const MAGIC = Buffer.from('BTS1');
const BLOCK = 512;

export type SplitSegment = { raw: Buffer } | { file: string; size: number };

/** Normalizes a relative path; null when ".." climbs above the root. */
export function cleanRelative(path: string): string | null {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join('/');
}

/** Clean relative path of a tar entry name; throws when it is absolute or climbs out of the root. */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw refuse(name, 'has an absolute path');
  const clean = cleanRelative(name);
  if (clean === null) throw refuse(name, 'climbs out of the layer with ".."');
  return clean;
}

function refuse(name: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid layer tar: entry ${JSON.stringify(name)} ${why}; nothing was written`);
}

/** Whether the symlink `path` -> `target` points outside the root. */
function escapes(path: string, target: string): boolean {
  if (target.startsWith('/')) return true;
  const dir = path.split('/').slice(0, -1).join('/');
  return cleanRelative(dir ? `${dir}/${target}` : target) === null;
}

function parseOctal(buf: Buffer, off: number, len: number): number {
  const f = buf.subarray(off, off + len);
  if (f[0]! & 0x80) {
    // GNU base-256 (big files, big ids).
    let v = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    return v;
  }
  const s = f.toString('latin1').replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new InvalidArgumentError('invalid layer tar: bad number in header');
  return parseInt(s, 8);
}

function cstr(buf: Buffer, off: number, len: number): string {
  const f = buf.subarray(off, off + len);
  const z = f.indexOf(0);
  return f.subarray(0, z < 0 ? len : z).toString('utf8');
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const want = parseOctal(h, 148, 8);
  return want === sum;
}

/** pax records "len key=value\n" -> map. */
export function parsePax(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(buf.subarray(i, sp).toString('latin1'), 10);
    if (!(len > 0) || i + len > buf.length) break;
    const rec = buf.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

const META_LIMIT = 16 << 20;

/**
 * Parses a tar stream incrementally (push chunks in order) and produces segments. Never
 * buffers file content; meta entries (pax, long names) are kept until their entry is done.
 */
export class TarSplitRecorder {
  #raw: Buffer[] = [];
  #rawLen = 0;
  #out: (seg: SplitSegment) => void;
  // Parser state.
  #hdr = Buffer.alloc(BLOCK);
  #hdrFill = 0;
  #state: 'header' | 'file' | 'meta' | 'raw' | 'pad' | 'trailer' = 'header';
  #left = 0;
  #pad = 0;
  #meta: Buffer[] = [];
  #metaType = '';
  #longName: string | null = null;
  #longLink: string | null = null;
  #pax = new Map<string, string>();
  #globalPax = new Map<string, string>();
  /** Symlinks this tar made: path -> target. */
  readonly #symlinks = new Map<string, string>();
  entries = 0;
  /** Whether any entry was an OCI whiteout (.wh.*): the extracted dir then needs converting. */
  whiteouts = 0;

  constructor(out: (seg: SplitSegment) => void) {
    this.#out = out;
  }

  #keep(b: Buffer): void {
    if (b.length === 0) return;
    this.#raw.push(Buffer.from(b));
    this.#rawLen += b.length;
    if (this.#rawLen >= 1 << 16) this.#flushRaw();
  }

  #flushRaw(): void {
    if (this.#rawLen === 0) return;
    this.#out({ raw: Buffer.concat(this.#raw, this.#rawLen) });
    this.#raw = [];
    this.#rawLen = 0;
  }

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.#state) {
        case 'trailer':
          this.#keep(chunk.subarray(i));
          return;
        case 'header': {
          const n = Math.min(BLOCK - this.#hdrFill, chunk.length - i);
          chunk.copy(this.#hdr, this.#hdrFill, i, i + n);
          this.#hdrFill += n;
          i += n;
          if (this.#hdrFill === BLOCK) { this.#hdrFill = 0; this.#header(); }
          break;
        }
        case 'file': {
          const n = Math.min(this.#left, chunk.length - i);
          this.#left -= n;
          i += n;
          if (this.#left === 0) this.#afterData();
          break;
        }
        case 'meta': case 'raw': {
          const n = Math.min(this.#left, chunk.length - i);
          const part = chunk.subarray(i, i + n);
          this.#keep(part);
          if (this.#state === 'meta') {
            this.#meta.push(Buffer.from(part));
          }
          this.#left -= n;
          i += n;
          if (this.#left === 0) { if (this.#state === 'meta') this.#endMeta(); this.#afterData(); }
          break;
        }
        case 'pad': {
          const n = Math.min(this.#pad, chunk.length - i);
          this.#keep(chunk.subarray(i, i + n));
          this.#pad -= n;
          i += n;
          if (this.#pad === 0) this.#state = 'header';
          break;
        }
      }
    }
  }

  #afterData(): void {
    this.#state = this.#pad > 0 ? 'pad' : 'header';
  }

  #header(): void {
    const h = this.#hdr;
    this.#keep(h);
    if (h.every((b) => b === 0)) { this.#state = 'trailer'; return; }
    if (!checksumOk(h)) throw new InvalidArgumentError('invalid layer tar: header checksum mismatch (not a tar archive, or a corrupt one)');
    const type = String.fromCharCode(h[156]! || 0x30);
    let size = parseOctal(h, 124, 12);
    this.#pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > META_LIMIT) throw new InvalidArgumentError('invalid layer tar: oversized extended header');
      this.#metaType = type;
      this.#meta = [];
      this.#left = size;
      this.#state = 'meta';
      if (size === 0) { this.#endMeta(); this.#afterData(); }
      return;
    }
    // A real entry: its name, after the meta entries that came before it.
    const pax = new Map([...this.#globalPax, ...this.#pax]);
    let name = this.#longName ?? pax.get('path') ?? null;
    if (name === null) {
      name = cstr(h, 0, 100);
      const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
      const prefix = ustar ? cstr(h, 345, 155) : '';
      if (prefix) name = `${prefix}/${name}`;
    }
    const linkname = this.#longLink ?? pax.get('linkpath') ?? cstr(h, 157, 100);
    if (pax.has('size')) {
      size = Number(pax.get('size'));
      this.#pad = (BLOCK - (size % BLOCK)) % BLOCK;
    }
    this.#longName = null; this.#longLink = null; this.#pax = new Map();
    const clean = cleanEntryName(name);
    this.#checkParents(clean, name);
    if (type === '1' && (linkname.startsWith('/') || cleanRelative(linkname) === null)) {
      throw refuse(name, `is a hard link to ${JSON.stringify(linkname)}, outside the layer`);
    }
    if (type === '2') this.#symlinks.set(clean, linkname); else this.#symlinks.delete(clean);
    this.entries++;
    if (clean.startsWith('.wh.') || clean.includes('/.wh.')) this.whiteouts++;
    this.#left = size;
    if ((type === '0' || type === '7') && size > 0) {
      this.#flushRaw();
      this.#out({ file: clean, size });
      this.#state = 'file';
    } else if (size > 0) {
      this.#state = 'raw';
    } else {
      this.#afterData();
    }
  }

  #checkParents(clean: string, name: string): void {
    if (this.#symlinks.size === 0) return;
    const parts = clean.split('/');
    let below: string | null = null;
    for (let k = 1; k < parts.length; k++) {
      const parent = parts.slice(0, k).join('/');
      const target = this.#symlinks.get(parent);
      if (target === undefined) continue;
      if (escapes(parent, target)) throw refuse(name, `goes through the symlink ${JSON.stringify(parent)} -> ${JSON.stringify(target)}, which points outside the layer`);
      below ??= parent;
    }
    // Even one pointing inside: a chain of symlinks can lead out, and tar would follow it.
    if (below !== null) {
      throw new InvalidArgumentError(`invalid layer tar: ${JSON.stringify(name)} is below a symlink of the same layer (${below}) and could write outside the layer`);
    }
  }

  #endMeta(): void {
    const data = Buffer.concat(this.#meta);
    this.#meta = [];
    switch (this.#metaType) {
      case 'L': this.#longName = cstr(data, 0, data.length); break;
      case 'K': this.#longLink = cstr(data, 0, data.length); break;
      case 'x': this.#pax = parsePax(data); break;
      case 'g': for (const [k, v] of parsePax(data)) this.#globalPax.set(k, v); break;
    }
  }

  /** Ends the stream; throws when the tar stopped in the middle of an entry. */
  finish(): void {
    if (this.#state !== 'trailer' && (this.#state !== 'header' || this.#hdrFill !== 0)) {
      throw new InvalidArgumentError('invalid layer tar: unexpected end of archive');
    }
    this.#flushRaw();
  }
}

/** Encodes segments into the record format (without the gzip). */
export function encodeSegment(seg: SplitSegment): Buffer {
  if ('raw' in seg) {
    const h = Buffer.alloc(5);
    h[0] = 0x52; h.writeUInt32BE(seg.raw.length, 1);
    return Buffer.concat([h, seg.raw]);
  }
  const name = Buffer.from(seg.file, 'utf8');
  const b = Buffer.alloc(1 + 2 + name.length + 8);
  b[0] = 0x46; b.writeUInt16BE(name.length, 1); name.copy(b, 3);
  b.writeBigUInt64BE(BigInt(seg.size), 3 + name.length);
  return b;
}

export function decodeSegments(data: Buffer): SplitSegment[] {
  if (!data.subarray(0, 4).equals(MAGIC)) throw new InvalidArgumentError('not a tar-split record');
  const out: SplitSegment[] = [];
  let i = 4;
  while (i < data.length) {
    const t = data[i]!;
    if (t === 0x52) {
      const len = data.readUInt32BE(i + 1);
      out.push({ raw: data.subarray(i + 5, i + 5 + len) });
      i += 5 + len;
    } else if (t === 0x46) {
      const nl = data.readUInt16BE(i + 1);
      const file = data.subarray(i + 3, i + 3 + nl).toString('utf8');
      const size = Number(data.readBigUInt64BE(i + 3 + nl));
      out.push({ file, size });
      i += 3 + nl + 8;
    } else {
      throw new InvalidArgumentError('corrupt tar-split record');
    }
  }
  return out;
}

/**
 * A pass-through stream that records the tar going through it into `path` (gzip'd).
 * `done()` resolves when the record file is complete (after the stream ended).
 */
export class TarSplitWriter {
  readonly #gz = createGzip({ level: 6 });
  readonly #rec: TarSplitRecorder;
  readonly #ws: WriteStream;
  readonly #file: Promise<void>;
  /** The file's descriptor is closed (after its open, which runs late on the thread pool). */
  readonly #closed: Promise<void>;

  constructor(readonly path: string) {
    const ws = createWriteStream(path);
    this.#ws = ws;
    this.#closed = new Promise((res) => { ws.once('close', () => res()); });
    this.#file = new Promise((res, rej) => { ws.on('close', res); ws.on('error', rej); this.#gz.on('error', rej); });
    this.#file.catch(() => undefined);
    this.#gz.pipe(ws);
    this.#gz.write(MAGIC);
    // Segments are batched: one zlib write per 256 KiB of record, not one per tar entry.
    this.#rec = new TarSplitRecorder((seg) => {
      const b = encodeSegment(seg);
      this.#pending.push(b);
      this.#pendingLen += b.length;
      if (this.#pendingLen >= 1 << 18) this.#flush();
    });
  }

  #pending: Buffer[] = [];
  #pendingLen = 0;

  #flush(): void {
    if (this.#pendingLen === 0) return;
    this.#gz.write(this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingLen));
    this.#pending = [];
    this.#pendingLen = 0;
  }

  push(chunk: Buffer): void { this.#rec.push(chunk); }

  /** Regular-file and other entries seen so far. */
  get entries(): number { return this.#rec.entries; }

  /** OCI whiteout entries seen so far. */
  get whiteouts(): number { return this.#rec.whiteouts; }

  async finish(): Promise<void> {
    this.#rec.finish();
    this.#flush();
    this.#gz.end();
    await this.#file;
  }

  /**
   * Drops the record: stops writing, closes the file, removes it. The file is opened
   * asynchronously, so a remove before its close could run before the open and leave the
   * file behind (and its descriptor open): both wait for the close here.
   */
  async abort(): Promise<void> {
    this.#gz.destroy();
    this.#ws.destroy();
    await this.#closed;
    await rm(this.path, { force: true });
  }

  /** A Transform for a pipeline: passes bytes on unchanged and records them. */
  transform(): Transform {
    return new Transform({
      highWaterMark: 1 << 20,
      transform: (chunk: Buffer, _e, cb) => {
        try { this.push(chunk); } catch (err) { cb(err as Error); return; }
        cb(null, chunk);
      },
      flush: (cb) => { this.finish().then(() => cb(), cb); },
    });
  }

  /** A sink (for diffUpperDir): records and drops the bytes. */
  sink(): Writable {
    return new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _e, cb) => {
        try { this.push(chunk); } catch (err) { cb(err as Error); return; }
        cb();
      },
      final: (cb) => { this.finish().then(() => cb(), cb); },
    });
  }
}

export async function readSplit(path: string): Promise<SplitSegment[]> {
  return decodeSegments(gunzipSync(await readFile(path)));
}

export function splitSize(segs: readonly SplitSegment[]): number {
  let n = 0;
  for (const s of segs) n += 'raw' in s ? s.raw.length : s.size;
  return n;
}

/**
 * Rebuilds the tar from its record and the files under `root`, checking the sha256 against
 * `diffId` as it goes: the stream fails (instead of ending) when the bytes differ.
 */
export function replaySplit(segs: readonly SplitSegment[], root: string, diffId: string | null): Readable {
  const hash = createHash('sha256');
  async function* gen(): AsyncGenerator<Buffer> {
    for (const s of segs) {
      if ('raw' in s) { hash.update(s.raw); yield s.raw; continue; }
      const path = posix.join(root, s.file);
      let left = s.size;
      const fh = await open(path, 'r').catch((err: unknown) => {
        throw new InvalidArgumentError(`cannot rebuild the layer tar: ${s.file} is missing from the layer (${(err as Error).message})`);
      });
      try {
        while (left > 0) {
          const buf = Buffer.allocUnsafe(Math.min(left, 1 << 20));
          const { bytesRead } = await fh.read(buf, 0, buf.length, null);
          if (bytesRead === 0) throw new InvalidArgumentError(`cannot rebuild the layer tar: ${s.file} is shorter than recorded`);
          const out = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
          hash.update(out);
          left -= bytesRead;
          yield out;
        }
      } finally {
        await fh.close();
      }
    }
    if (diffId !== null) {
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== diffId) throw new InvalidArgumentError(`layer ${diffId} could not be reproduced: the rebuilt tar is ${got} (the layer's files changed)`);
    }
  }
  return Readable.from(gen(), { objectMode: false, highWaterMark: 1 << 20 });
}

/** A stream of `path` checked against a sha256 digest at its end. */
export function verifiedFileStream(path: string, digest: string): Readable {
  const hash = createHash('sha256');
  const rs = createReadStream(path, { highWaterMark: 1 << 20 });
  const t = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) { hash.update(chunk); cb(null, chunk); },
    flush(cb) {
      const got = `sha256:${hash.digest('hex')}`;
      cb(got === digest ? null : new InvalidArgumentError(`blob ${digest} is corrupt (its content is ${got})`));
    },
  });
  rs.on('error', (e) => t.destroy(e));
  return rs.pipe(t);
}
