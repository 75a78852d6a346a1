// Joins small chunks into bigger ones before a stage with a per-write cost: zlib runs every
// write as one round trip to the thread pool and back, so gunzip fed with a socket's 64 KiB
// chunks spends more of the main thread on the round trips than on the data (a 1 MiB chunk:
// about a tenth of the main-thread time for the same bytes).
import { Transform } from 'node:stream';

export const COALESCE_BYTES = 1 << 20;

/** A pass-through that emits chunks of at least `min` bytes (the last one may be smaller). */
export function coalesce(min = COALESCE_BYTES): Transform {
  let parts: Buffer[] = [];
  let len = 0;
  const take = (): Buffer => {
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts, len);
    parts = [];
    len = 0;
    return out;
  };
  return new Transform({
    highWaterMark: min,
    transform(chunk: Buffer, _e, cb) {
      parts.push(chunk);
      len += chunk.length;
      if (len < min) { cb(); return; }
      cb(null, take());
    },
    flush(cb) {
      cb(null, len > 0 ? take() : undefined);
    },
  });
}
