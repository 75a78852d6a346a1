// gzip for push that does not spend CPU on bytes deflate cannot shrink. Layers mix
// compressible files with already-compressed ones (archives, images, jars, compressed
// man pages): deflate at any level leaves those the same size (it falls back to stored blocks
// itself) yet costs its full ~50 MB/s of match searching on them; level 0 (stored blocks)
// is ~10× cheaper. Each input chunk (~1 MiB, see coalesce.ts) is sampled first: when its
// bytes are nearly uniform (order-0 entropy at least ENTROPY_STORED bits a byte, so Huffman
// coding could save ≤ 0.6 %), it goes out at level 0, else at the chosen level.
// A change of level starts a new gzip member (RFC 1952 §2.2: a gzip file is a series of
// members; Go's gzip reader, used by dockerd and containerd, reads them all, as do zlib, GNU
// gzip and pigz; eStargz layers are built the same way). zlib's own deflateParams is of no use
// here: Node's params() runs it after a Z_SYNC_FLUSH, and zlib ≥ 1.2.12 then refuses the
// switch (Z_BUF_ERROR, ignored by Node: the level silently stays).
import { Duplex, PassThrough, Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';

/** Order-0 entropy (bits a byte) at or above which a chunk is stored, not deflated. */
export const ENTROPY_STORED = 7.95;
const SAMPLES = 3;
const SAMPLE_BYTES = 8192;

/** The order-0 (byte histogram) entropy of up to SAMPLES slices of the chunk, in bits a byte. */
export function sampledEntropy(chunk: Buffer): number {
  const counts = new Uint32Array(256);
  let n = 0;
  const count = (from: number, to: number): void => {
    for (let i = from; i < to; i++) counts[chunk[i]!]!++;
    n += to - from;
  };
  if (chunk.length <= SAMPLES * SAMPLE_BYTES) count(0, chunk.length);
  else {
    const step = Math.floor((chunk.length - SAMPLE_BYTES) / (SAMPLES - 1));
    for (let s = 0; s < SAMPLES; s++) count(s * step, s * step + SAMPLE_BYTES);
  }
  if (n === 0) return 0;
  let h = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c) { const p = c / n; h -= p * Math.log2(p); }
  }
  return h;
}

/**
 * The level for a chunk: 0 (stored) when it looks incompressible, else `level`; null for a
 * small chunk (the tail, a tiny layer: too little to judge or to be worth a new member).
 */
export function levelFor(chunk: Buffer, level: number): number | null {
  if (chunk.length < 64 * 1024) return null;
  return sampledEntropy(chunk) >= ENTROPY_STORED ? 0 : level;
}

export interface AdaptiveGzipOptions { level?: number; chunkSize?: number; adaptive?: boolean }

/** A gzip Duplex (write the input, read the gzip stream) storing incompressible chunks. */
export function adaptiveGzip(o: AdaptiveGzipOptions = {}): Duplex {
  const level = o.level ?? 6;
  const adaptive = o.adaptive ?? true;
  const chunkSize = o.chunkSize ?? 1 << 20;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let gz: Gzip | null = null;
  let gzLevel = -1;
  const start = (lvl: number): Gzip => {
    const g = createGzip({ level: lvl, chunkSize });
    g.on('error', (e) => out.destroy(e));
    g.pipe(out, { end: false });
    gzLevel = lvl;
    return (gz = g);
  };
  // 'end' comes after the member's last byte was handed to `out`: the next member follows it.
  const finish = (g: Gzip): Promise<void> => new Promise((resolve, reject) => {
    g.once('end', resolve);
    g.once('error', reject);
    g.end();
  });
  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      const want = (adaptive ? levelFor(chunk, level) : level) ?? (gz === null ? level : gzLevel);
      const send = (g: Gzip): void => { g.write(chunk, (err) => cb(err ?? null)); };
      if (gz === null) { send(start(want)); return; }
      if (want === gzLevel) { send(gz); return; }
      finish(gz).then(() => send(start(want)), (err: Error) => cb(err));
    },
    final(cb) {
      finish(gz ?? start(level)).then(() => { out.end(); cb(); }, (err: Error) => cb(err));
    },
    destroy(err, cb) {
      gz?.destroy(err ?? undefined);
      if (err) out.destroy(err);
      cb(err);
    },
  });
  return Duplex.from({ readable: out, writable: input });
}
