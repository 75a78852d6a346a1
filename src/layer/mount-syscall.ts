// mount(2) and umount2(2) in-process through koffi (FFI to libc): spawning mount/umount
// costs 5–15 ms a call here (PLATFORM.md §3.4: 0.6–2 ms in-process), twice per container.
// Falls back to null when libc cannot be loaded, and the caller spawns the tools instead.
import { createRequire } from 'node:module';
import { constants } from 'node:os';

type KoffiFn = ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void };

interface Syscalls {
  mount: KoffiFn;
  umount2: KoffiFn;
  errno: () => number;
}

let cached: Syscalls | null | undefined;

function load(): Syscalls | null {
  if (cached !== undefined) return cached;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(name: string): { func(decl: string): KoffiFn }; errno(): number };
    const libc = koffi.load('libc.so.6');
    cached = {
      mount: libc.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)'),
      umount2: libc.func('int umount2(const char *target, int flags)'),
      errno: () => koffi.errno(),
    };
  } catch {
    cached = null;
  }
  return cached;
}

export const MNT_DETACH = 2;

export class SyscallError extends Error {
  constructor(readonly call: string, readonly errno: number, target: string) {
    const name = Object.entries(constants.errno).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`;
    super(`${call} ${target}: ${name}`);
  }
}

/** true when mounted in-process; false when FFI is unavailable (spawn mount instead). */
export function mountSyscall(src: string, target: string, fstype: string, data: string): boolean {
  const s = load();
  if (!s) return false;
  if ((s.mount(src, target, fstype, 0, data) as number) !== 0) throw new SyscallError('mount', s.errno(), target);
  return true;
}

/**
 * mount(2) on a libuv pool thread: an overlay mount checks its upper filesystem's features
 * (work dir, xattrs, tmpfile), several milliseconds here, which held up the event loop on every
 * container start (a profile of 50 starts: the largest single item). Resolves true when
 * mounted, false when FFI is unavailable (spawn mount instead). errno is per thread, so a
 * failure is tried once more on this thread to report why (a failing mount fails again).
 */
export function mountAsync(src: string, target: string, fstype: string, data: string): Promise<boolean> {
  const s = load();
  if (!s) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    s.mount.async(src, target, fstype, 0, data, (err: unknown, rc: number) => {
      if (!err && rc === 0) { resolve(true); return; }
      try {
        resolve(mountSyscall(src, target, fstype, data));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * Detaches a mount (MNT_DETACH) on a libuv pool thread: unmounting an overlay syncs its upper
 * filesystem (PLATFORM.md §3.4), which must not hold up the event loop. A target that is not
 * mounted is fine. Resolves false when FFI is unavailable (spawn umount instead).
 */
export function detachMount(target: string): Promise<boolean> {
  const s = load();
  if (!s) return Promise.resolve(false);
  return new Promise((resolve) => {
    s.umount2.async(target, MNT_DETACH, () => resolve(true));
  });
}
