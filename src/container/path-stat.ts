// The archive API's path stat in Docker's encoding (moby container.PathStat, sent base64
// JSON in X-Docker-Container-Path-Stat): Go's os.FileMode bits and a RFC 3339 time with
// trailing zeros of the nanoseconds dropped, as Go's time.RFC3339Nano prints it.
import type { ContainerPathStat } from '../api/types/index.ts';

const S_IFMT = 0o170000;
const GO = {
  dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, namedPipe: 2 ** 25, socket: 2 ** 24,
  setuid: 2 ** 23, setgid: 2 ** 22, charDevice: 2 ** 21, sticky: 2 ** 20,
};

/** st_mode -> os.FileMode (Go's fillFileStatFromSys). */
export function goFileMode(stMode: number): number {
  let m = stMode & 0o777;
  switch (stMode & S_IFMT) {
    case 0o060000: m += GO.device; break;
    case 0o020000: m += GO.device + GO.charDevice; break;
    case 0o040000: m += GO.dir; break;
    case 0o010000: m += GO.namedPipe; break;
    case 0o120000: m += GO.symlink; break;
    case 0o140000: m += GO.socket; break;
    default: break;
  }
  if (stMode & 0o4000) m += GO.setuid;
  if (stMode & 0o2000) m += GO.setgid;
  if (stMode & 0o1000) m += GO.sticky;
  return m;
}

export function isGoDir(mode: number): boolean { return mode >= GO.dir; }
export function isGoSymlink(mode: number): boolean { return Math.floor(mode / GO.symlink) % 2 === 1; }

/** Unix time in nanoseconds -> Go's RFC3339Nano in UTC ("2024-01-02T03:04:05.5Z"). */
export function rfc3339Nano(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  const f = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${f}Z`;
}

/** The header value: base64 of the JSON, keys in Docker's order. */
export function encodePathStat(s: ContainerPathStat): string {
  return Buffer.from(JSON.stringify({ name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget })).toString('base64');
}
