// gzip decompression without zlib's CRC-32: the gzip framing (RFC 1952: header with its
// optional fields, deflate body, CRC-32 and ISIZE trailer, members one after another) parsed
// here, the deflate body inflated raw. A layer's CRC-32 is redundant: the blob's sha256 (its
// digest) covers every compressed byte, trailer included, and the tar's sha256 (its diffID)
// every decompressed one, both checked before the layer is kept; on this host the CRC cost
// more CPU than the inflate itself (the pull bench's layers: 2x faster raw). ISIZE is still
// checked. Errors keep zlib's wording and codes (Z_DATA_ERROR "incorrect header check",
// Z_BUF_ERROR "unexpected end of file"). After a member, bytes starting with 0 are ignored
// (padding, as zlib's gunzip does); anything else must be another member.
import { createInflateRaw, type InflateRaw } from 'node:zlib';

export interface GunzipSink {
  /** Decompressed bytes; call `done` once they are used (backpressure). */
  data(out: Buffer, done: () => void): void;
  end(): void;
  error(err: Error): void;
}

const zerr = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

/** Length of the gzip header at the start of `b`, or -1 while more bytes are needed; throws if it is no gzip header. */
export function gzipHeaderLength(b: Buffer): number {
  if (b.length >= 1 && b[0] !== 0x1f) throw zerr('incorrect header check', 'Z_DATA_ERROR');
  if (b.length >= 2 && b[1] !== 0x8b) throw zerr('incorrect header check', 'Z_DATA_ERROR');
  if (b.length >= 3 && b[2] !== 8) throw zerr('unknown compression method', 'Z_DATA_ERROR');
  if (b.length < 10) return -1;
  const flags = b[3]!;
  if (flags & 0xe0) throw zerr('unknown header flags set', 'Z_DATA_ERROR');
  let n = 10;
  if (flags & FEXTRA) {
    if (b.length < n + 2) return -1;
    n += 2 + b.readUInt16LE(n);
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (!(flags & f)) continue;
    const z = b.indexOf(0, n);
    if (z < 0) return -1;
    n = z + 1;
  }
  if (flags & FHCRC) n += 2;
  return b.length >= n ? n : -1;
}

type State = 'header' | 'body' | 'trailer' | 'next' | 'done';

export class RawGunzip {
  #state: State = 'header';
  #hdr: Buffer = Buffer.alloc(0);
  #trailer: Buffer = Buffer.alloc(0);
  #inf: InflateRaw | null = null;
  #infEnded: Promise<void> | null = null;
  /** Decompressed bytes of the current member (ISIZE). */
  #out = 0;
  #members = 0;
  readonly #q: { b: Buffer; cb: () => void }[] = [];
  /** The input being consumed (its callback is due even if inflate fails under it). */
  #current: { b: Buffer; cb: () => void } | null = null;
  #busy = false;
  #ended = false;
  #closed = false;

  constructor(private readonly sink: GunzipSink, private readonly chunkSize = 1 << 20) {}

  /** `cb` once `b` is consumed (it may be reused then). */
  write(b: Buffer, cb: () => void): void {
    if (this.#closed) { cb(); return; }
    this.#q.push({ b, cb });
    void this.#pump();
  }

  end(): void {
    this.#ended = true;
    void this.#pump();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inf?.destroy();
    const cur = this.#current;
    this.#current = null;
    cur?.cb();
    for (const { cb } of this.#q.splice(0)) cb();
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.destroy();
    this.sink.error(err as Error);
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#closed) {
        const item = this.#q.shift();
        if (!item) break;
        this.#current = item;
        await this.#consume(item.b);
        if (this.#current !== item) break;
        this.#current = null;
        item.cb();
      }
      if (this.#ended && !this.#closed && this.#q.length === 0) await this.#finish();
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#busy = false;
    }
  }

  #startMember(): void {
    const inf = createInflateRaw({ chunkSize: this.chunkSize });
    this.#inf = inf;
    this.#out = 0;
    this.#members++;
    this.#infEnded = new Promise<void>((resolve, reject) => {
      inf.once('end', resolve);
      inf.once('error', reject);
    });
    // A failing inflate may never call back the write under way: fail here.
    inf.on('error', (err) => this.#fail(err));
    this.#infEnded.catch(() => undefined);
    inf.on('data', (out: Buffer) => {
      this.#out += out.length;
      inf.pause();
      this.sink.data(out, () => inf.resume());
    });
  }

  /** The member's deflate stream ended: wait for its last output, then read its trailer. */
  async #memberEnd(): Promise<void> {
    await this.#infEnded;
    this.#inf!.destroy();
    this.#inf = null;
    this.#state = 'trailer';
    this.#trailer = Buffer.alloc(0);
  }

  async #consume(b: Buffer): Promise<void> {
    let off = 0;
    while (off < b.length && !this.#closed) {
      switch (this.#state) {
        case 'header': {
          // Parsed in place; only a header cut by the chunk's end is copied (`b` is reused).
          const prev = this.#hdr.length;
          const view = prev === 0 ? b.subarray(off) : Buffer.concat([this.#hdr, b.subarray(off)]);
          const n = gzipHeaderLength(view);
          if (n < 0) { this.#hdr = prev === 0 ? Buffer.from(view) : view; off = b.length; break; }
          off += n - prev;
          this.#hdr = Buffer.alloc(0);
          this.#state = 'body';
          this.#startMember();
          break;
        }
        case 'body': {
          const inf = this.#inf!;
          const piece = b.subarray(off);
          const before = inf.bytesWritten;
          await new Promise<void>((resolve, reject) => inf.write(piece, (err) => (err ? reject(err) : resolve())));
          // bytesWritten counts the input inflate consumed: less than given = the deflate
          // stream ended inside `piece` (the trailer follows).
          const used = inf.bytesWritten - before;
          off += used;
          if (used < piece.length) await this.#memberEnd();
          break;
        }
        case 'trailer': {
          const take = Math.min(8 - this.#trailer.length, b.length - off);
          this.#trailer = Buffer.concat([this.#trailer, b.subarray(off, off + take)]);
          off += take;
          if (this.#trailer.length === 8) {
            if (this.#trailer.readUInt32LE(4) !== this.#out % 2 ** 32) throw zerr('incorrect length check', 'Z_DATA_ERROR');
            this.#state = 'next';
          }
          break;
        }
        case 'next':
          this.#state = b[off] === 0 ? 'done' : 'header';
          break;
        case 'done':
          off = b.length;
          break;
      }
    }
  }

  async #finish(): Promise<void> {
    if (this.#state === 'body') {
      const inf = this.#inf!;
      inf.end();
      await this.#infEnded;
      // A deflate stream cut short fails in inflate ('unexpected end of file'); one that
      // ended exactly here still lacks its trailer.
      this.#inf = null;
      this.#state = 'trailer';
      this.#trailer = Buffer.alloc(0);
    }
    if (this.#state === 'trailer' || (this.#state === 'header' && (this.#hdr.length > 0 || this.#members === 0))) {
      throw zerr('unexpected end of file', 'Z_BUF_ERROR');
    }
    if (this.#closed) return;
    this.#closed = true;
    this.sink.end();
  }
}
