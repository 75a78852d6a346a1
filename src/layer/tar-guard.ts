// A guard in front of `tar -x`: it reads the headers of a layer tar as the bytes stream past
// (ustar, GNU long names 'L'/'K', PAX 'x' path/linkpath) and fails the stream on the first
// entry that would land outside the target: an absolute name, a name whose ".." climbs above
// the root, a hard link to such a path, or an entry under a symlink of the same archive that
// points outside (absolute target, or ".." above the root). GNU tar refuses most of these
// too, but with a warning buried in its stderr after writing what came before; the guard
// gives one clear error and the caller removes the half-extracted directory.
// Bodies are not kept (only those of PAX/GNU name records, at most 1 MiB each).
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from '../lib/index.ts';

const BLOCK = 512;
const MAX_META = 1 << 20;

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

function cstring(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  const f = b.subarray(start, start + len);
  if (f[0]! & 0x80) {
    // base-256 (GNU): big-endian, top bit of the first byte is the marker
    let v = f[0]! & 0x7f;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    return v;
  }
  const s = cstring(b, start, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(body.subarray(i, sp).toString(), 10);
    if (!(len > 0)) break;
    const rec = body.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

function refuse(name: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid layer tar: entry ${JSON.stringify(name)} ${why}; nothing was written`);
}

export class TarGuard extends Transform {
  #buf = Buffer.alloc(0);
  /** Bytes of the current entry's body still to pass (padding included). */
  #skip = 0;
  /** The body being collected (PAX or GNU long name), its type and real size. */
  #meta: { type: string; size: number; chunks: Buffer[]; got: number } | null = null;
  #nextName: string | null = null;
  #nextLink: string | null = null;
  #ended = false;
  /** Symlinks of this archive whose target leaves the root: path -> target. */
  readonly #escaping = new Map<string, string>();

  constructor() {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.#ended) this.#scan(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb(null, chunk);
  }

  #scan(chunk: Buffer): void {
    let data = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    this.#buf = Buffer.alloc(0);
    while (data.length > 0 && !this.#ended) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, data.length);
        if (this.#meta) {
          const want = this.#meta.size - this.#meta.got;
          if (want > 0) {
            const part = data.subarray(0, Math.min(n, want));
            this.#meta.chunks.push(Buffer.from(part));
            this.#meta.got += part.length;
          }
        }
        this.#skip -= n;
        data = data.subarray(n);
        if (this.#skip === 0 && this.#meta) this.#finishMeta();
        continue;
      }
      if (data.length < BLOCK) { this.#buf = Buffer.from(data); return; }
      const h = data.subarray(0, BLOCK);
      data = data.subarray(BLOCK);
      if (h.every((x) => x === 0)) { this.#ended = true; return; }
      this.#header(h);
    }
  }

  #header(h: Buffer): void {
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    const size = octal(h, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L' || type === 'K') {
      if (size > MAX_META) throw new InvalidArgumentError(`invalid layer tar: a ${type} header of ${size} bytes`);
      this.#meta = { type, size, chunks: [], got: 0 };
      this.#skip = padded;
      if (padded === 0) this.#finishMeta();
      return;
    }
    if (type === 'g') { this.#skip = padded; return; }
    const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = ustar ? cstring(h, 345, 155) : '';
    const name = this.#nextName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
    const link = this.#nextLink ?? cstring(h, 157, 100);
    this.#nextName = null;
    this.#nextLink = null;
    this.#check(name, type, link);
    // Hard links, symlinks, devices, directories and fifos have no body.
    this.#skip = '123456'.includes(type) ? 0 : padded;
  }

  #finishMeta(): void {
    const m = this.#meta!;
    this.#meta = null;
    const body = Buffer.concat(m.chunks);
    if (m.type === 'L') this.#nextName = cstring(body, 0, body.length);
    else if (m.type === 'K') this.#nextLink = cstring(body, 0, body.length);
    else {
      const recs = paxRecords(body);
      if (recs.has('path')) this.#nextName = recs.get('path')!;
      if (recs.has('linkpath')) this.#nextLink = recs.get('linkpath')!;
    }
  }

  #check(raw: string, type: string, link: string): void {
    if (raw.startsWith('/')) throw refuse(raw, 'has an absolute path');
    const clean = cleanRelative(raw);
    if (clean === null) throw refuse(raw, 'climbs out of the layer with ".."');
    // An entry below a symlink of this archive that points outside the root.
    const parts = clean.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const target = this.#escaping.get(parent);
      if (target !== undefined) throw refuse(raw, `goes through the symlink ${JSON.stringify(parent)} -> ${JSON.stringify(target)}, which points outside the layer`);
    }
    this.#escaping.delete(clean);
    if (type === '1') {
      const l = link.replace(/^\/+/, '');
      if (cleanRelative(l) === null) throw refuse(raw, `is a hard link to ${JSON.stringify(link)}, outside the layer`);
    } else if (type === '2') {
      const dir = parts.slice(0, -1).join('/');
      if (link.startsWith('/') || cleanRelative(dir ? `${dir}/${link}` : link) === null) this.#escaping.set(clean, link);
    }
  }
}
