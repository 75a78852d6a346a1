// libc functions in-process through koffi (LIBRARIES.md), one loader for every module that
// needs a system call Node does not offer (mount, mknodat, mkfifo, fallocate, memfd_create…).
// Each caller declares the C prototype it needs; a missing library or symbol gives null and
// the caller falls back (usually to spawning the tool).
import { createRequire } from 'node:module';

/** A libc function: a synchronous call, and `.async(...args, cb)` on the libuv pool. */
export type LibcFn = ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void };

interface Koffi {
  load(name: string): { func(decl: string): LibcFn };
  errno(): number;
}

let koffi: Koffi | null | undefined;
let libc: { func(decl: string): LibcFn } | null | undefined;
const funcs = new Map<string, LibcFn | null>();

function load(): { func(decl: string): LibcFn } | null {
  if (libc !== undefined) return libc;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
    libc = koffi.load('libc.so.6');
  } catch {
    koffi = null;
    libc = null;
  }
  return libc;
}

/** The libc function with this C prototype (e.g. 'int mkfifo(const char *path, unsigned int mode)'), or null. */
export function libcFunc<F = LibcFn>(decl: string): F | null {
  if (!funcs.has(decl)) {
    let fn: LibcFn | null = null;
    try { fn = load()?.func(decl) ?? null; } catch { fn = null; }
    funcs.set(decl, fn);
  }
  return funcs.get(decl) as F | null;
}

/** errno after the last libc call on this thread (0 when koffi is unavailable). */
export function libcErrno(): number {
  return koffi?.errno() ?? 0;
}
