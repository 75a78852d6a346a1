// Files the runtime creates in a RUN container's upper dir only as mount points (the
// bind-mounted /etc/hosts, /etc/hostname, /etc/resolv.conf when the image lacks them, and
// /.dockerenv): empty regular files that must not end up in the step's layer (moby keeps
// them in the container's init layer, which a commit leaves out).
// An /etc left empty (copied up only for them) goes too, unless it is opaque (the step
// replaced /etc: removing it would bring the lower files back).
import { lstat, readdir, rm, rmdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { isOpaqueDir } from '../layer/index.ts';

const MOUNT_POINTS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv'];

/** The paths (relative to `upper`) stripRunArtifacts would remove, the dirs last. */
export async function runArtifacts(upper: string): Promise<string[]> {
  const out: string[] = [];
  for (const rel of MOUNT_POINTS) {
    const st = await lstat(join(upper, rel)).catch(() => null);
    if (st?.isFile() && st.size === 0) out.push(rel);
  }
  // /etc copied up only to hold those mount points: dropped when nothing else is left in it.
  const etc = join(upper, 'etc');
  const left = (await readdir(etc).catch(() => null))?.filter((n) => !out.includes(`etc/${n}`));
  if (left?.length === 0 && !isOpaqueDir(etc)) out.push('etc');
  return out;
}

/**
 * Removes `paths` (from runArtifacts) from `dir`, a copy of the upper dir they were listed
 * in; a dir that stays keeps the times it had (the layer's tar was made with them).
 */
export async function removeRunArtifacts(dir: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const etc = join(dir, 'etc');
  const before = await lstat(etc).catch(() => null);
  for (const rel of paths) {
    if (rel === 'etc') await rmdir(etc).catch(() => undefined);
    else await rm(join(dir, rel), { force: true });
  }
  if (before?.isDirectory() && !paths.includes('etc')) await utimes(etc, before.atime, before.mtime).catch(() => undefined);
}

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
