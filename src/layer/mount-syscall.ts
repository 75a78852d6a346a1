// mount(2) and umount2(2) in-process through koffi (FFI to libc): spawning mount/umount
// costs 5–15 ms a call here (PLATFORM.md §3.4: 0.6–2 ms in-process), twice per container.
// Falls back to null when libc cannot be loaded, and the caller spawns the tools instead.
import { createRequire } from 'node:module';
import { constants } from 'node:os';

type MountFn = (src: string, target: string, fstype: string, flags: number, data: string) => number;
type Umount2Fn = (target: string, flags: number) => number;

interface Syscalls { mount: MountFn; umount2: Umount2Fn; errno: () => number }

let cached: Syscalls | null | undefined;

function load(): Syscalls | null {
  if (cached !== undefined) return cached;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as {
      load(name: string): { func(decl: string): (...args: unknown[]) => unknown };
      errno(): number;
    };
    const libc = koffi.load('libc.so.6');
    const mount = libc.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)');
    const umount2 = libc.func('int umount2(const char *target, int flags)');
    cached = {
      mount: (...a) => mount(...a) as number,
      umount2: (...a) => umount2(...a) as number,
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
  if (s.mount(src, target, fstype, 0, data) !== 0) throw new SyscallError('mount', s.errno(), target);
  return true;
}

/** Unmounts; EINVAL (not mounted) and ENOENT are not errors. false when FFI is unavailable. */
export function umountSyscall(target: string, flags = 0): boolean {
  const s = load();
  if (!s) return false;
  if (s.umount2(target, flags) !== 0) {
    const e = s.errno();
    if (e === constants.errno.EINVAL || e === constants.errno.ENOENT) return true;
    if (e === constants.errno.EBUSY && flags === 0) return umountSyscall(target, MNT_DETACH);
    throw new SyscallError('umount', e, target);
  }
  return true;
}
