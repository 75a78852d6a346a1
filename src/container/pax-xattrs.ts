// The SCHILY.xattr.* PAX records of a tar, byte for byte, by entry: tar-stream decodes PAX
// values as UTF-8 text, which mangles binary values (security.capability), so the stream is
// walked here too (headers only; file data is skipped) and the raw values kept for the
// extractor. Entries are numbered as tar-stream emits them: every header except the PAX
// ('x', 'g') and GNU long-name ('L', 'K') ones, which belong to the entry after them.
import { Transform, type TransformCallback } from 'node:stream';

const XATTR = 'SCHILY.xattr.';
/** PAX data larger than this is not looked at (tar-stream refuses such headers anyway). */
const MAX_PAX = 1 << 20;

/** Parses PAX records ("<len> <key>=<value>\n") into raw values; a malformed rest is ignored. */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.subarray(i, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= sp - i + 1 || i + len > data.length) break;
    const rec = data.subarray(sp + 1, i + len - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.subarray(0, eq).toString('utf8'), rec.subarray(eq + 1));
    i += len;
  }
  return out;
}

function octalOrBase256(b: Buffer): number {
  if (b[0]! & 0x80) {
    let n = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = b.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  return s === '' ? 0 : parseInt(s, 8) || 0;
}

/** A pass-through stream that records each entry's raw xattr records (xattrsOf() them by entry number). */
export class PaxXattrs extends Transform {
  readonly #byEntry = new Map<number, Map<string, Buffer>>();
  #entry = 0;
  #head: Buffer[] = [];
  #headLen = 0;
  /** Bytes of entry data (and padding) still to skip. */
  #skip = 0;
  /** The PAX data being collected (an 'x' header's body), and how much of it is left. */
  #pax: Buffer[] | null = null;
  #paxLeft = 0;
  #pending: Map<string, Buffer> | null = null;

  constructor() { super({ highWaterMark: 1 << 20 }); }

  /** The xattrs of entry `n` (0-based, as tar-stream emits them), once; empty when it had none. */
  xattrsOf(n: number): Map<string, Buffer> {
    const m = this.#byEntry.get(n);
    this.#byEntry.delete(n);
    return m ?? new Map();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - off);
        if (this.#pax !== null && this.#paxLeft > 0) {
          const take = Math.min(n, this.#paxLeft);
          this.#pax.push(chunk.subarray(off, off + take));
          this.#paxLeft -= take;
        }
        this.#skip -= n;
        off += n;
        if (this.#skip === 0 && this.#pax !== null) {
          const recs = parsePaxRecords(Buffer.concat(this.#pax));
          this.#pax = null;
          this.#pending = recs;
        }
        continue;
      }
      const n = Math.min(512 - this.#headLen, chunk.length - off);
      this.#head.push(chunk.subarray(off, off + n));
      this.#headLen += n;
      off += n;
      if (this.#headLen < 512) continue;
      const h = Buffer.concat(this.#head, 512);
      this.#head = [];
      this.#headLen = 0;
      this.#header(h);
    }
    cb(null, chunk);
  }

  #header(h: Buffer): void {
    if (h.every((x) => x === 0)) return; // end-of-archive blocks
    const type = String.fromCharCode(h[156]!);
    let size = octalOrBase256(h.subarray(124, 136));
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (type === 'x' && size <= MAX_PAX) { this.#pax = []; this.#paxLeft = size; }
      this.#skip = size + ((512 - (size % 512)) % 512);
      if (this.#skip === 0 && type === 'x') { this.#pax = null; this.#pending = new Map(); }
      return;
    }
    const pax = this.#pending;
    this.#pending = null;
    if (pax) {
      const sz = pax.get('size');
      if (sz !== undefined && /^\d+$/.test(sz.toString('latin1'))) size = Number(sz.toString('latin1'));
      const xattrs = new Map<string, Buffer>();
      for (const [k, v] of pax) if (k.startsWith(XATTR)) xattrs.set(k.slice(XATTR.length), v);
      if (xattrs.size > 0) this.#byEntry.set(this.#entry, xattrs);
    }
    this.#entry++;
    // A directory carries no data whatever its size field says; every other entry its size
    // (as tar-stream reads them; an old-style name ending in '/' is a directory too).
    const nameEnd = h.indexOf(0, 0) === -1 || h.indexOf(0, 0) > 100 ? 100 : h.indexOf(0, 0);
    const isDir = type === '5' || ((h[156] === 0 || type === '0') && nameEnd > 0 && h[nameEnd - 1] === 0x2f);
    this.#skip = isDir ? 0 : size + ((512 - (size % 512)) % 512);
  }
}
