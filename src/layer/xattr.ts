// lgetxattr(2) through koffi (LIBRARIES.md: xattr via koffi), for reading overlay's opaque
// marker on upper dirs. Returns null when the attribute is absent or FFI is unavailable.
import { createRequire } from 'node:module';

type Fn = (...args: unknown[]) => number;
let getter: Fn | null | undefined;

function load(): Fn | null {
  if (getter !== undefined) return getter;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(name: string): { func(decl: string): Fn } };
    getter = koffi.load('libc.so.6').func('long lgetxattr(const char *path, const char *name, void *value, size_t size)');
  } catch {
    getter = null;
  }
  return getter;
}

export function lgetxattr(path: string, name: string): Buffer | null {
  const f = load();
  if (!f) return null;
  const buf = Buffer.alloc(256);
  const n = f(path, name, buf, buf.length);
  return n < 0 ? null : buf.subarray(0, n);
}

/** True when overlayfs marked the directory opaque (its lower contents are hidden). */
export function isOpaqueDir(path: string): boolean {
  const v = lgetxattr(path, 'trusted.overlay.opaque') ?? lgetxattr(path, 'user.overlay.opaque');
  return v !== null && v.toString() === 'y';
}
