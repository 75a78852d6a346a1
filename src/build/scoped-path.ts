// Path resolution inside a root filesystem, following symlinks as the container would see
// them (an absolute link target is relative to the root, `..` stops at the root), so the
// builder never writes outside an image's rootfs (moby's symlink.FollowSymlinkInScope).
import { lstatSync, readlinkSync } from 'node:fs';
import { lchown, lstat, mkdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

export class ScopeError extends Error {}

/**
 * The walk both resolvers share: yields each host path to look at and is told its symlink
 * target (null: not a symlink); returns the host path with every symlink resolved in `root`.
 */
function* walkInRoot(root: string, path: string): Generator<string, string, string | null> {
  const parts = posix.normalize('/' + path).split('/').filter((p) => p !== '');
  const done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '.') continue;
    if (part === '..') { done.pop(); continue; }
    const target = yield join(root, ...done, part);
    if (target !== null) {
      if (++hops > 255) throw new ScopeError(`too many levels of symbolic links: ${path}`);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter((p) => p !== ''));
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}

/** The host path of `path` (absolute inside the image) with every symlink resolved in `root`. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  const walk = walkInRoot(root, path);
  let step = walk.next();
  while (!step.done) {
    const st = await lstat(step.value).catch(() => null);
    step = walk.next(st?.isSymbolicLink() ? await readlink(step.value) : null);
  }
  return step.value;
}

/**
 * resolveInRoot with synchronous lstat/readlink: for a build context on the local disk, where
 * each call is microseconds and a thread-pool round trip per path element costs more.
 */
export function resolveInRootSync(root: string, path: string): string {
  const walk = walkInRoot(root, path);
  let step = walk.next();
  while (!step.done) {
    let st;
    try { st = lstatSync(step.value, { throwIfNoEntry: false }); } catch { st = undefined; }
    step = walk.next(st?.isSymbolicLink() ? readlinkSync(step.value) : null);
  }
  return step.value;
}

/** Like resolveInRoot, creating missing directories (mode 0755, then chown when given). */
export async function mkdirInRoot(root: string, path: string, owner?: { uid: number; gid: number }): Promise<string> {
  const parts = posix.normalize('/' + path).split('/').filter((p) => p !== '');
  let cur = '/';
  let host = root;
  for (const part of parts) {
    cur = posix.join(cur, part);
    host = await resolveInRoot(root, cur);
    const st = await lstat(host).catch(() => null);
    if (!st) {
      await mkdir(host, { recursive: true, mode: 0o755 });
      if (owner) await lchown(host, owner.uid, owner.gid);
    } else if (!st.isDirectory()) {
      throw new ScopeError(`cannot copy to ${path}: ${cur} is not a directory`);
    }
    cur = host.slice(root.length) || '/';
  }
  return host;
}
