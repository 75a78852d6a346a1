// Shifting the owners of an unpacked layer by a fixed offset, for a daemon that remaps
// container root to an unprivileged host id (--userns-remap): what dockerd does while it
// untars a layer under a remapped root. chown(2) clears set-user/group-ID bits, so the mode is
// put back afterwards; symlinks are changed themselves, never followed; a hard-linked inode is
// shifted once, however many names it has.
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface IdShift {
  uid: number;
  gid: number;
}

export async function shiftOwners(root: string, by: IdShift, seen = new Set<string>()): Promise<void> {
  const st = await lstat(root, { bigint: true });
  const key = `${st.dev}:${st.ino}`;
  if (st.nlink > 1n) {
    if (seen.has(key)) return;
    seen.add(key);
  }
  await lchown(root, Number(st.uid) + by.uid, Number(st.gid) + by.gid);
  const mode = Number(st.mode);
  if (!st.isSymbolicLink() && (mode & 0o6000) !== 0) await chmod(root, mode & 0o7777);
  if (!st.isDirectory()) return;
  for (const name of await readdir(root)) await shiftOwners(join(root, name), by, seen);
}
