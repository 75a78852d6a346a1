// Joins small chunks into bigger ones before a stage with a per-write cost: zlib runs every
// write as one round trip to the thread pool and back. Used where the work per byte is large
// (push's gzip: 1 MiB writes take a fraction of the main-thread time of 64 KiB ones, same
// wall time). Not in front of gunzip: an A/B of whole pulls was slower with it (the stage
// waits for a full chunk; decompression is cheap, so that latency shows).
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
