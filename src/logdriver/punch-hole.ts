// Frees the part of the capture file the shipper has already shipped, without moving
// anything: fallocate(2) with FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE turns the range into
// a hole (no disk blocks; reads give zeros), so conmon keeps appending at its offset and the
// shipper keeps reading at its own. This is what bounds the capture's disk use: conmon's own
// --log-size-max replaces the file when it is full, and a shipper more than one file behind
// (a container writing faster than the driver ships) would lose what it had not read.
import { createRequire } from 'node:module';

type FallocateFn = ((fd: number, mode: number, offset: number, len: number) => number)
  & { async(fd: number, mode: number, offset: number, len: number, cb: (err: unknown, res: number) => void): void };

const PUNCH = 0x02 | 0x01; // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
const BLOCK = 4096;

let fallocate: FallocateFn | null | undefined;

function load(): FallocateFn | null {
  if (fallocate !== undefined) return fallocate;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as { load(name: string): { func(decl: string): FallocateFn } };
    fallocate = koffi.load('libc.so.6').func('int fallocate(int fd, int mode, int64_t offset, int64_t len)');
  } catch {
    fallocate = null;
  }
  return fallocate;
}

/**
 * Punches [from, to) rounded to whole blocks; resolves with the new start of what is kept
 * (unchanged when nothing could be freed, or when the filesystem cannot punch holes).
 */
export function punchShipped(fd: number, from: number, to: number): Promise<number> {
  const f = load();
  const end = Math.floor(to / BLOCK) * BLOCK;
  if (f === null || end <= from) return Promise.resolve(from);
  return new Promise((resolve) => {
    f.async(fd, PUNCH, from, end - from, (err, res) => resolve(!err && res === 0 ? end : from));
  });
}
