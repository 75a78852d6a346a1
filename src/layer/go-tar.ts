// Tar headers byte for byte as Go's archive/tar Writer writes them for moby pkg/archive
// (Header.Format = FormatPAX, ModTime truncated to seconds, no atime/ctime), so a layer
// berth tars has the diffID dockerd computes for the same files:
//   - USTAR when every field fits: names over 100 bytes split into prefix/name at a '/';
//   - else PAX: a `PaxHeaders.0/<base>` 'x' entry with the records sorted by key ("path",
//     "linkpath", "uname", "gname", "uid", "gid", "size", "mtime", "SCHILY.xattr.*"), then
//     the main header with the fields that fit (non-ASCII dropped, numbers too big as 0);
//   - numbers in octal, zero-padded, NUL-terminated; the checksum as 6 digits, NUL, space;
//     magic "ustar\0" version "00"; devmajor/devminor written even when 0.
// The end of an archive is two zero blocks, no record padding (Writer.Close).

export interface GoTarHeader {
  name: string;
  /** Typeflag: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo. */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (whole). */
  mtime: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX SCHILY.xattr.<name> records. */
  xattrs?: [string, Buffer][];
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

const isASCII = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);
/** Go's toASCII: every rune from 0x80 up and every NUL dropped (only when not all ASCII). */
const toASCII = (s: string): string => (isASCII(s) ? s : s.replace(/[^\x01-\x7f]/gu, ''));
const fitsOctal = (n: number, x: number): boolean => x >= 0 && (n >= 22 || x < 8 ** (n - 1));

function putString(b: Buffer, off: number, len: number, str: string): void {
  const s = Buffer.from(str, 'utf8');
  s.copy(b, off, 0, Math.min(s.length, len));
  if (s.length < len) b[off + s.length] = 0;
  // Go: a field cut short that ends in '/' loses its trailing slashes (buggy readers).
  if (s.length > len && b[off + len - 1] === 0x2f) {
    let n = len - 1;
    while (n > 0 && s[n - 1] === 0x2f) n--;
    b[off + n] = 0;
  }
}

function putOctal(b: Buffer, off: number, len: number, x: number): void {
  const v = fitsOctal(len, x) ? x : 0;
  putString(b, off, len, v.toString(8).padStart(len - 1, '0'));
}

function setChecksum(b: Buffer): void {
  b.write('ustar\0', 257, 'latin1');
  b.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  putOctal(b, 148, 7, sum);
  b[155] = 0x20;
}

/** Go's splitUSTARPath: prefix (≤155) and name (≤100) at a '/', for ASCII names over 100 bytes. */
export function splitUSTARPath(name: string): [string, string] | null {
  let length = name.length;
  if (length <= 100 || !isASCII(name)) return null;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return null;
  return [name.slice(0, i), name.slice(i + 1)];
}

/** Go's formatPAXRecord: "<len> <key>=<value>\n", the length counting itself. */
export function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let size = body.length + String(body.length).length;
  if (String(size).length + body.length !== size) size = String(size).length + body.length;
  return Buffer.concat([Buffer.from(String(size)), body]);
}

/** V7 + USTAR fields of a main header (templateV7Plus); `ascii` as for PAX main headers. */
function template(h: GoTarHeader, name: string, ascii: boolean): Buffer {
  const b = Buffer.alloc(512);
  const str = (s: string): string => (ascii ? toASCII(s) : s);
  putString(b, 0, 100, str(name));
  putOctal(b, 100, 8, h.mode);
  putOctal(b, 108, 8, h.uid);
  putOctal(b, 116, 8, h.gid);
  putOctal(b, 124, 12, h.size);
  putOctal(b, 136, 12, h.mtime);
  b.write(h.type, 156, 'latin1');
  putString(b, 157, 100, str(h.linkname ?? ''));
  putString(b, 265, 32, str(h.uname ?? ''));
  putString(b, 297, 32, str(h.gname ?? ''));
  putOctal(b, 329, 8, h.devmajor ?? 0);
  putOctal(b, 337, 8, h.devminor ?? 0);
  return b;
}

/** Go's path.Join(dir, "PaxHeaders.0", file) for the names a layer has (already clean). */
function paxName(name: string): string {
  const cut = name.lastIndexOf('/', name.length - 1);
  const dir = name.slice(0, cut + 1);
  const file = name.slice(cut + 1);
  const joined = [dir.replace(/\/+$/, ''), 'PaxHeaders.0', file].filter((p) => p !== '').join('/');
  let n = toASCII(joined);
  if (Buffer.byteLength(n) > 100) n = Buffer.from(n).subarray(0, 100).toString('latin1');
  return n.replace(/\/+$/, '');
}

/** The header block(s) of one entry: a PAX extended header (with its data) when needed, then the main header. */
export function encodeHeader(h: GoTarHeader): Buffer {
  const pax = new Map<string, Buffer>();
  let ustar = true;
  const verifyString = (s: string, size: number, key: string, canSplit: boolean): void => {
    if (!isASCII(s) || Buffer.byteLength(s) > size) {
      if (!canSplit || splitUSTARPath(s) === null) ustar = false;
      pax.set(key, Buffer.from(s, 'utf8'));
    }
  };
  verifyString(h.name, 100, 'path', true);
  verifyString(h.linkname ?? '', 100, 'linkpath', false);
  verifyString(h.uname ?? '', 32, 'uname', false);
  verifyString(h.gname ?? '', 32, 'gname', false);
  const verifyNumeric = (n: number, size: number, key: string): void => {
    if (!fitsOctal(size, n)) { ustar = false; pax.set(key, Buffer.from(String(n))); }
  };
  verifyNumeric(h.uid, 8, 'uid');
  verifyNumeric(h.gid, 8, 'gid');
  verifyNumeric(h.size, 12, 'size');
  verifyNumeric(h.mtime, 12, 'mtime');
  for (const [k, v] of h.xattrs ?? []) { ustar = false; pax.set(`SCHILY.xattr.${k}`, v); }
  if (ustar) {
    const split = splitUSTARPath(h.name);
    const b = template(h, split ? split[1] : h.name, false);
    if (split) putString(b, 345, 155, split[0]);
    setChecksum(b);
    return b;
  }
  const keys = [...pax.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const data = Buffer.concat(keys.map((k) => paxRecord(k, pax.get(k)!)));
  const x = Buffer.alloc(512);
  putString(x, 0, 100, paxName(h.name));
  putOctal(x, 100, 8, 0);
  putOctal(x, 108, 8, 0);
  putOctal(x, 116, 8, 0);
  putOctal(x, 124, 12, data.length);
  putOctal(x, 136, 12, 0);
  x.write('x', 156, 'latin1');
  setChecksum(x);
  const main = template(h, h.name, true);
  setChecksum(main);
  return Buffer.concat([x, data, Buffer.alloc(padding(data.length)), main]);
}

/** Zero bytes after `size` bytes of data, to the next 512. */
export function padding(size: number): number {
  return (512 - (size % 512)) % 512;
}
