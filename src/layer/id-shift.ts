// Shifting the owners of an unpacked layer by a fixed offset, for a daemon that remaps
// container root to an unprivileged host id (--userns-remap): what dockerd does while it
// untars a layer under a remapped root. chown(2) clears set-user/group-ID bits, so the mode is
// put back afterwards; symlinks are changed themselves, never followed.
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface IdShift {
  uid: number;
  gid: number;
}

export async function shiftOwners(root: string, by: IdShift): Promise<void> {
  const st = await lstat(root);
  await lchown(root, st.uid + by.uid, st.gid + by.gid);
  if (!st.isSymbolicLink() && (st.mode & 0o6000) !== 0) await chmod(root, st.mode & 0o7777);
  if (!st.isDirectory()) return;
  for (const name of await readdir(root)) await shiftOwners(join(root, name), by);
}
