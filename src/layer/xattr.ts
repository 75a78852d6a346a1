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

type XFns = { list: Fn; get: Fn; set: Fn; remove: Fn };
let xfns: XFns | null | undefined;

function loadAll(): XFns | null {
  if (xfns !== undefined) return xfns;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(name: string): { func(decl: string): Fn } };
    const libc = koffi.load('libc.so.6');
    xfns = {
      list: libc.func('long llistxattr(const char *path, void *list, size_t size)'),
      get: libc.func('long lgetxattr(const char *path, const char *name, void *value, size_t size)'),
      set: libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
      remove: libc.func('int lremovexattr(const char *path, const char *name)'),
    };
  } catch {
    xfns = null;
  }
  return xfns;
}

/** Every extended attribute of `path` (not following a symlink); empty when FFI is unavailable. */
export function lgetxattrs(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const f = loadAll();
  if (!f) return out;
  const need = f.list(path, null, 0);
  if (need <= 0) return out;
  const names = Buffer.alloc(need);
  const n = f.list(path, names, names.length);
  if (n <= 0) return out;
  for (const name of names.subarray(0, n).toString('latin1').split('\0').filter(Boolean)) {
    const size = f.get(path, name, null, 0);
    if (size < 0) continue;
    const buf = Buffer.alloc(size);
    const got = size === 0 ? 0 : f.get(path, name, buf, buf.length);
    if (got >= 0) out.set(name, buf.subarray(0, got));
  }
  return out;
}

/** Sets (or, with value null, removes) one extended attribute; false when it could not. */
export function lsetxattr(path: string, name: string, value: Buffer | null): boolean {
  const f = loadAll();
  if (!f) return false;
  if (value === null) return f.remove(path, name) === 0;
  return f.set(path, name, value, value.length, 0) === 0;
}

/** The overlay markers, which only mean something inside an overlay upper dir. */
export const OVERLAY_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque', 'trusted.overlay.redirect', 'trusted.overlay.origin'];
