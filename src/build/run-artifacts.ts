// Files the runtime creates in a RUN container's upper dir only as mount points (the
// bind-mounted /etc/hosts, /etc/hostname, /etc/resolv.conf when the image lacks them, and
// /.dockerenv): empty regular files that must not end up in the step's layer (moby keeps
// them in the container's init layer, which a commit leaves out).
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';

const MOUNT_POINTS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv'];

export async function stripRunArtifacts(upper: string): Promise<void> {
  for (const rel of MOUNT_POINTS) {
    const p = join(upper, rel);
    const st = await lstat(p).catch(() => null);
    if (st?.isFile() && st.size === 0) await rm(p, { force: true });
  }
}
