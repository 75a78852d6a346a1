// berth's build session (the classic /build API has no session; BuildKit's is gRPC over
// /session): `berth build --ssh` opens POST /session/build?id=<id>&ssh=[ids] as a hijacked
// connection before it sends POST /build?session=<id>&ssh=[ids]. Over the session the daemon
// asks for agent connections and both sides carry their bytes in frames:
//   type (1 byte) | channel (uint32 BE) | length (uint32 BE) | payload
//   OPEN  daemon -> client: connect channel to the agent named by the payload (an ssh id)
//   DATA  both ways: bytes of the channel
//   CLOSE both ways: the channel is over (payload: an error message, may be empty)
// Pure encoding and decoding, shared by the daemon (build/) and the CLI (cli/).

export const SESSION_PATH = '/session/build';
export const FRAME_OPEN = 1;
export const FRAME_DATA = 2;
export const FRAME_CLOSE = 3;
const HEADER = 9;
/** The largest payload a frame carries (a DATA chunk is split above it). */
export const MAX_FRAME_PAYLOAD = 1024 * 1024;

export interface SessionFrame { type: number; channel: number; payload: Buffer }

export function encodeFrame(type: number, channel: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(channel >>> 0, 1);
  out.writeUInt32BE(body.length, 5);
  body.copy(out, HEADER);
  return out;
}

/** Collects bytes and yields whole frames; throws on a frame no peer would send. */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SessionFrame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: SessionFrame[] = [];
    while (this.#buf.length >= HEADER) {
      const type = this.#buf.readUInt8(0);
      const len = this.#buf.readUInt32BE(5);
      if (type < FRAME_OPEN || type > FRAME_CLOSE || len > MAX_FRAME_PAYLOAD) throw new Error(`malformed build session frame (type ${type}, length ${len})`);
      if (this.#buf.length < HEADER + len) break;
      out.push({ type, channel: this.#buf.readUInt32BE(1), payload: Buffer.from(this.#buf.subarray(HEADER, HEADER + len)) });
      this.#buf = this.#buf.subarray(HEADER + len);
    }
    return out;
  }
}
