// Docker's multiplexed stream framing (moby pkg/stdcopy): each frame is an 8-byte header
// [stream, 0, 0, 0, size as uint32 big-endian] followed by `size` bytes.
// stream: 0 = stdin, 1 = stdout, 2 = stderr, 3 = systemerr.

export function frame(stream: 1 | 2 | 3, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out[0] = stream;
  out[1] = 0; out[2] = 0; out[3] = 0;
  out.writeUInt32BE(payload.length, 4);
  payload.copy(out, 8);
  return out;
}
