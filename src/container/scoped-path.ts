// A path inside a container's rootfs resolved the way the container would see it (moby
// pkg/symlink FollowSymlinkInScope): symlinks are followed, but an absolute target or ".."
// never leaves the rootfs. Used to read image content on the host side safely.
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';

const MAX_LINKS = 255;

/** The host path of `path` inside `root`; components that do not exist are kept as they are. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = posix.normalize(`/${path}`).split('/').filter((p) => p !== '');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const host = posix.join(root, ...done, part);
    const st = await lstat(host).catch(() => null);
    if (!st?.isSymbolicLink()) { done.push(part); continue; }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links: ${path}`);
    const target = await readlink(host);
    const rest = target.split('/').filter((p) => p !== '');
    if (target.startsWith('/')) done.length = 0;
    pending = [...rest, ...pending];
  }
  return posix.join(root, ...done);
}
