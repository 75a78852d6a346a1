// Reads the start of a build context into memory, up to a byte budget, hashing it: a context
// that ends within the budget has a digest (the replay memo's key, replay-memo.ts) and is then
// extracted from memory; a larger one is passed on as a stream (what was read, then the rest),
// so memory stays bounded whatever the context's size.
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ContextPrefix {
  /** sha256 (hex) of the whole context, when it ended within the budget; else null. */
  digest: string | null;
  /** Bytes read into memory. */
  bytes: number;
  /** The whole context as a byte stream (to be called once). */
  stream(): Readable;
}

export function readPrefix(input: Readable, budget: number): Promise<ContextPrefix> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let bytes = 0;
    let settled = false;
    const cleanup = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.off('close', onClose);
    };
    const onData = (c: Buffer): void => {
      chunks.push(c);
      bytes += c.length;
      if (bytes <= budget) { hash.update(c); return; }
      // Over the budget: hand over what was read and the rest, as one stream.
      settled = true;
      cleanup();
      input.pause();
      resolve({
        digest: null, bytes,
        stream: () => {
          const out = new PassThrough();
          for (const b of chunks.splice(0)) out.write(b);
          pipeline(input, out).catch((err: Error) => out.destroy(err));
          return out;
        },
      });
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      const digest = hash.digest('hex');
      resolve({ digest, bytes, stream: () => Readable.from(chunks.splice(0), { objectMode: false }) });
    };
    const onError = (err: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      // Closed without 'end': the client hung up mid-context.
      if (!settled && !input.readableEnded) onError(new Error('the client closed the connection before the whole context was sent'));
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.on('close', onClose);
  });
}

/** A byte budget shared by concurrent readers: each takes all it asks for or nothing. */
export class MemoryBudget {
  #free: number;
  constructor(private readonly total: number) {
    this.#free = total;
  }

  get free(): number {
    return this.#free;
  }

  /** `want` when that much is free (it is then taken), else 0. */
  take(want: number): number {
    if (want <= 0 || this.#free < want) return 0;
    this.#free -= want;
    return want;
  }

  give(n: number): void {
    this.#free = Math.min(this.total, this.#free + n);
  }
}
