// Whether a path is on a tmpfs: per-boot state there is made in place (microseconds a call)
// rather than through the thread pool, and berthd mounts one over an exec root that is not.
import { statfs } from 'node:fs/promises';

const TMPFS_MAGIC = 0x01021994;

/** true when `path` is on a tmpfs; false when it is not or cannot be looked at. */
export async function onTmpfs(path: string): Promise<boolean> {
  return (await statfs(path).catch(() => null))?.type === TMPFS_MAGIC;
}
