// mknodat(2) through koffi (LIBRARIES.md: mknod verified), for the fifos and device nodes a
// PUT /containers/{id}/archive carries: Node has no mknod. Relative to a directory
// descriptor, so the name is one component below a directory ScopedRoot resolved.
import { createRequire } from 'node:module';

type Fn = (...args: unknown[]) => number;
let mknodat: Fn | null | undefined;
let errnoOf: (() => number) | null = null;

function load(): Fn | null {
  if (mknodat !== undefined) return mknodat;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(name: string): { func(decl: string): Fn }; errno(): number };
    mknodat = koffi.load('libc.so.6').func('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)');
    errnoOf = () => koffi.errno();
  } catch {
    mknodat = null;
  }
  return mknodat;
}

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
  if (f(dirfd, name, mode, makedev(major, minor)) !== 0) throw new Error(`mknod ${name}: errno ${errnoOf?.() ?? '?'}`);
}
