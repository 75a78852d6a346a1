// The subset of MessagePack the fluentd forward protocol needs (strings, binary, integers,
// booleans, nil, arrays, maps, ext for EventTime), encoder and decoder. Written here rather
// than taken from a package: ~100 lines, and the forward protocol uses a fixed few types.
export class MsgpackExt { constructor(readonly type: number, readonly data: Buffer) {} }
export type MsgValue = null | boolean | number | string | Buffer | MsgpackExt | MsgValue[] | { [k: string]: MsgValue };

export function encodeMsgpack(v: MsgValue): Buffer {
  const parts: Buffer[] = [];
  write(v, parts);
  return Buffer.concat(parts);
}

function head(parts: Buffer[], bytes: number[]): void { parts.push(Buffer.from(bytes)); }

function write(v: MsgValue, parts: Buffer[]): void {
  if (v === null) return head(parts, [0xc0]);
  if (typeof v === 'boolean') return head(parts, [v ? 0xc3 : 0xc2]);
  if (typeof v === 'number') return writeNumber(v, parts);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    const n = b.length;
    if (n < 32) head(parts, [0xa0 | n]);
    else if (n < 0x100) head(parts, [0xd9, n]);
    else if (n < 0x10000) head(parts, [0xda, n >> 8, n & 0xff]);
    else { const h = Buffer.alloc(5); h[0] = 0xdb; h.writeUInt32BE(n, 1); parts.push(h); }
    parts.push(b);
    return;
  }
  if (Buffer.isBuffer(v)) {
    const n = v.length;
    if (n < 0x100) head(parts, [0xc4, n]);
    else if (n < 0x10000) head(parts, [0xc5, n >> 8, n & 0xff]);
    else { const h = Buffer.alloc(5); h[0] = 0xc6; h.writeUInt32BE(n, 1); parts.push(h); }
    parts.push(v);
    return;
  }
  if (v instanceof MsgpackExt) {
    const n = v.data.length;
    const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
    if (fixed[n] !== undefined) head(parts, [fixed[n]!, v.type & 0xff]);
    else head(parts, [0xc7, n, v.type & 0xff]);
    parts.push(v.data);
    return;
  }
  if (Array.isArray(v)) {
    const n = v.length;
    if (n < 16) head(parts, [0x90 | n]);
    else if (n < 0x10000) head(parts, [0xdc, n >> 8, n & 0xff]);
    else { const h = Buffer.alloc(5); h[0] = 0xdd; h.writeUInt32BE(n, 1); parts.push(h); }
    for (const x of v) write(x, parts);
    return;
  }
  const entries = Object.entries(v);
  const n = entries.length;
  if (n < 16) head(parts, [0x80 | n]);
  else if (n < 0x10000) head(parts, [0xde, n >> 8, n & 0xff]);
  else { const h = Buffer.alloc(5); h[0] = 0xdf; h.writeUInt32BE(n, 1); parts.push(h); }
  for (const [k, x] of entries) { write(k, parts); write(x, parts); }
}

function writeNumber(v: number, parts: Buffer[]): void {
  if (!Number.isInteger(v)) { const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(v, 1); parts.push(b); return; }
  if (v >= 0 && v < 128) return head(parts, [v]);
  if (v < 0 && v >= -32) return head(parts, [v & 0xff]);
  if (v >= 0 && v <= 0xffffffff) { const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); parts.push(b); return; }
  if (v < 0 && v >= -0x80000000) { const b = Buffer.alloc(5); b[0] = 0xd2; b.writeInt32BE(v, 1); parts.push(b); return; }
  const b = Buffer.alloc(9); b[0] = v < 0 ? 0xd3 : 0xcf;
  if (v < 0) b.writeBigInt64BE(BigInt(v), 1); else b.writeBigUInt64BE(BigInt(v), 1);
  parts.push(b);
}

/** Decodes one value at `offset`; returns it and the offset after it. Throws RangeError on a short buffer. */
export function decodeMsgpack(buf: Buffer, offset = 0): { value: MsgValue; end: number } {
  let at = offset;
  const need = (n: number): void => { if (at + n > buf.length) throw new RangeError('msgpack: truncated'); };
  const read = (): MsgValue => {
    need(1);
    const t = buf[at++]!;
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: need(1); return bin(buf[at++]!);
      case 0xc5: need(2); at += 2; return bin(buf.readUInt16BE(at - 2));
      case 0xc6: need(4); at += 4; return bin(buf.readUInt32BE(at - 4));
      case 0xc7: { need(2); const n = buf[at]!; const ty = buf.readInt8(at + 1); at += 2; return ext(ty, n); }
      case 0xca: need(4); at += 4; return buf.readFloatBE(at - 4);
      case 0xcb: need(8); at += 8; return buf.readDoubleBE(at - 8);
      case 0xcc: need(1); return buf[at++]!;
      case 0xcd: need(2); at += 2; return buf.readUInt16BE(at - 2);
      case 0xce: need(4); at += 4; return buf.readUInt32BE(at - 4);
      case 0xcf: need(8); at += 8; return Number(buf.readBigUInt64BE(at - 8));
      case 0xd0: need(1); return buf.readInt8(at++);
      case 0xd1: need(2); at += 2; return buf.readInt16BE(at - 2);
      case 0xd2: need(4); at += 4; return buf.readInt32BE(at - 4);
      case 0xd3: need(8); at += 8; return Number(buf.readBigInt64BE(at - 8));
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: { need(1); const ty = buf.readInt8(at++); return ext(ty, 1 << (t - 0xd4)); }
      case 0xd9: need(1); return str(buf[at++]!);
      case 0xda: need(2); at += 2; return str(buf.readUInt16BE(at - 2));
      case 0xdb: need(4); at += 4; return str(buf.readUInt32BE(at - 4));
      case 0xdc: need(2); at += 2; return arr(buf.readUInt16BE(at - 2));
      case 0xdd: need(4); at += 4; return arr(buf.readUInt32BE(at - 4));
      case 0xde: need(2); at += 2; return map(buf.readUInt16BE(at - 2));
      case 0xdf: need(4); at += 4; return map(buf.readUInt32BE(at - 4));
      default: throw new RangeError(`msgpack: unsupported type 0x${t.toString(16)}`);
    }
  };
  const str = (n: number): string => { need(n); at += n; return buf.toString('utf8', at - n, at); };
  const bin = (n: number): Buffer => { need(n); at += n; return Buffer.from(buf.subarray(at - n, at)); };
  const ext = (type: number, n: number): MsgpackExt => { need(n); at += n; return new MsgpackExt(type, Buffer.from(buf.subarray(at - n, at))); };
  const arr = (n: number): MsgValue[] => { const out: MsgValue[] = []; for (let i = 0; i < n; i++) out.push(read()); return out; };
  const map = (n: number): { [k: string]: MsgValue } => {
    const out: { [k: string]: MsgValue } = {};
    for (let i = 0; i < n; i++) { const k = read(); out[String(k)] = read(); }
    return out;
  };
  const value = read();
  return { value, end: at };
}
