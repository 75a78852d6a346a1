// mknodat(2) through koffi (LIBRARIES.md: mknod verified), for the fifos and device nodes a
// PUT /containers/{id}/archive carries: Node has no mknod. Relative to a directory
// descriptor, so the name is one component below a directory ScopedRoot resolved.
import { libcErrno, libcFunc } from '../lib/index.ts';

type Fn = (dirfd: number, path: string, mode: number, dev: bigint) => number;
const load = (): Fn | null => libcFunc<Fn>('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)');

/** glibc makedev(). */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

/** Makes a node `name` in the directory `dirfd`; throws an Error with the errno when it fails. */
export function mknodAt(dirfd: number, name: string, mode: number, major = 0, minor = 0): void {
  const f = load();
  if (!f) throw new Error('mknod is not available (libc could not be loaded)');
  if (f(dirfd, name, mode, makedev(major, minor)) !== 0) throw new Error(`mknod ${name}: errno ${libcErrno() || '?'}`);
}
