// Docker's multiplexed stream format (moby pkg/stdcopy), used by attach, exec and logs when
// the container has no TTY: frames of an 8-byte header [stream, 0, 0, 0, size uint32 BE]
// followed by `size` bytes; stream 0 stdin, 1 stdout, 2 stderr, 3 a daemon error.
import { InternalError } from '../lib/index.ts';

export type StdStream = 'stdin' | 'stdout' | 'stderr';
const STREAMS: Record<number, StdStream> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };
const SYSTEM_ERR = 3;

/** Splits a byte stream into frames; feed it chunks in order with `push`. */
export class StdcopyDecoder {
  #pending: Buffer = Buffer.alloc(0);
  readonly #onFrame: (stream: StdStream, payload: Buffer) => void;

  constructor(onFrame: (stream: StdStream, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const kind = buf[0]!;
      const payload = buf.subarray(8, 8 + size);
      buf = buf.subarray(8 + size);
      if (kind === SYSTEM_ERR) throw new InternalError(`error from daemon in stream: ${payload.toString('utf8')}`);
      const stream = STREAMS[kind];
      if (stream === undefined) throw new InternalError(`unrecognized input header: ${kind}`);
      this.#onFrame(stream, payload);
    }
    this.#pending = Buffer.from(buf);
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

/** Encodes one frame (for tests and fakes). */
export function encodeFrame(stream: StdStream | 'system', payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream === 'system' ? SYSTEM_ERR : stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
