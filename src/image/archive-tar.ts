// A minimal tar writer for image archives (docker save): ustar headers for short names,
// file bodies streamed from their sources with back-pressure, never held in memory.
import type { Readable } from 'node:stream';

const BLOCK = 512;

function octal(buf: Buffer, off: number, len: number, v: number): void {
  const s = v.toString(8);
  if (s.length <= len - 1) {
    buf.write(s.padStart(len - 1, '0'), off, 'latin1');
    buf[off + len - 1] = 0;
    return;
  }
  // GNU base-256 for sizes past 8 GiB.
  let x = v;
  for (let i = off + len - 1; i > off; i--) { buf[i] = x % 256; x = Math.floor(x / 256); }
  buf[off] = 0x80;
}

/** One ustar header block. `name` must fit 100 bytes (names in image archives do). */
export function tarHeader(name: string, size: number, type: 'file' | 'dir', mtime = 0): Buffer {
  const h = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  h.write(name, 0, 'utf8');
  octal(h, 100, 8, type === 'dir' ? 0o755 : 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, type === 'dir' ? 0 : size);
  octal(h, 136, 12, mtime);
  h.write('        ', 148, 'latin1');
  h[156] = type === 'dir' ? 0x35 : 0x30;
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

export type ArchiveEntry =
  | { name: string; dir: true }
  | { name: string; data: Buffer }
  | { name: string; size: number; open: () => Readable };

/** The archive as a stream of chunks; a body shorter or longer than declared fails it. */
export async function* tarStream(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    if ('dir' in e) { yield tarHeader(e.name.endsWith('/') ? e.name : `${e.name}/`, 0, 'dir'); continue; }
    if ('data' in e) {
      yield tarHeader(e.name, e.data.length, 'file');
      yield e.data;
      const p = tarPadding(e.data.length);
      if (p.length) yield p;
      continue;
    }
    yield tarHeader(e.name, e.size, 'file');
    let got = 0;
    for await (const chunk of e.open()) {
      got += (chunk as Buffer).length;
      if (got > e.size) throw new Error(`${e.name}: more bytes than the ${e.size} declared`);
      yield chunk as Buffer;
    }
    if (got !== e.size) throw new Error(`${e.name}: ${got} bytes, ${e.size} declared`);
    const p = tarPadding(e.size);
    if (p.length) yield p;
  }
  yield Buffer.alloc(BLOCK * 2);
}
