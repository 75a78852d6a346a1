// crun re-executes itself from a private copy at every invocation: its defence against
// CVE-2019-5736, so that a container can never reach the host's runtime binary through
// /proc/<pid>/exe and overwrite it. The copy costs a second exec with its shared libraries,
// a temp file in /tmp and a bind mount whose unmount waits for an RCU grace period: 1.5–2 ms
// measured per invocation, twice per container (create, and delete at its exit). crun skips
// all of it when it already runs from a memfd sealed against writes (its is_self_cloned
// test). berthd makes that sealed copy once at start-up; its children exec it as
// /proc/<berthd>/fd/<n>, which exists exactly as long as berthd does, so anything that may
// run after berthd (conmon's exit command) keeps the binary's own path.
import { readFileSync, writeSync, closeSync } from 'node:fs';
import { libcFunc } from '../lib/index.ts';

const MFD_CLOEXEC = 0x1;
const MFD_ALLOW_SEALING = 0x2;
const F_ADD_SEALS = 1033;
// F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE: the set crun (and runc) look for.
const SEALS = 0x1 | 0x2 | 0x4 | 0x8;

/** A sealed in-memory copy of the binary at `path`, as a path children can exec; null when it cannot be made. */
export function sealedCopy(path: string): string | null {
  const memfdCreate = libcFunc<(name: string, flags: number) => number>('int memfd_create(const char *name, unsigned int flags)');
  const fcntl = libcFunc<(fd: number, cmd: number, arg: number) => number>('int fcntl(int fd, int cmd, int arg)');
  if (!memfdCreate || !fcntl) return null;
  const fd = memfdCreate('berth-runtime', MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return null;
  try {
    const bytes = readFileSync(path);
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    if (fcntl(fd, F_ADD_SEALS, SEALS) !== 0) throw new Error('F_ADD_SEALS failed');
  } catch {
    closeSync(fd);
    return null;
  }
  // Kept open for the daemon's life: the path below is only valid while it is.
  return `/proc/${process.pid}/fd/${fd}`;
}
