// Files the runtime creates in a RUN container's upper dir only as mount points (the
// bind-mounted /etc/hosts, /etc/hostname, /etc/resolv.conf when the image lacks them, and
// /.dockerenv): empty regular files that must not end up in the step's layer (moby keeps
// them in the container's init layer, which a commit leaves out).
// An /etc left empty (copied up only for them) goes too, unless it is opaque (the step
// replaced /etc: removing it would bring the lower files back).
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isOpaqueDir } from '../layer/index.ts';

const MOUNT_POINTS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv'];

export async function stripRunArtifacts(upper: string): Promise<void> {
  for (const rel of MOUNT_POINTS) {
    const p = join(upper, rel);
    const st = await lstat(p).catch(() => null);
    if (st?.isFile() && st.size === 0) await rm(p, { force: true });
  }
  // /etc copied up only to hold those mount points: drop it when nothing else is left in it.
  const etc = join(upper, 'etc');
  if ((await readdir(etc).catch(() => null))?.length === 0 && !isOpaqueDir(etc)) await rmdir(etc).catch(() => undefined);
}
