// Applies an upper dir in overlay format onto a whole tree in place (the snapshot drivers:
// a copy or snapshot of the parent layer becomes the new layer). What overlayfs would show
// is what the tree holds afterwards: a whiteout (0:0 character device) deletes the path, an
// opaque dir first loses everything the tree had in it, any other entry replaces the tree's
// (a dir present on both sides is merged and takes the upper dir's owner, mode, xattrs and
// times). Entries are renamed in (no data is copied; EXDEV falls back to cp), so the upper
// dir is consumed. The tree is walked with lstat only: a symlink in the tree is replaced,
// never followed, so nothing is written outside it.
import { lstat, readdir, rename, rm, chmod, lchown, lutimes, rmdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { execTool } from '../lib/index.ts';
import { isOpaqueDir, lgetxattrs, lsetxattr, OVERLAY_XATTRS } from './xattr.ts';

export function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Renames, or copies (reflinks where it can) and deletes across filesystems or btrfs subvolumes. */
export async function move(src: string, dst: string): Promise<void> {
  try {
    await rename(src, dst);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await execTool('cp', ['-a', '--reflink=auto', '--', src, dst]);
    await rm(src, { recursive: true, force: true });
  }
}

/** Owner, mode, xattrs (overlay's own left out) and times of `st` (at `src`) onto the dir `dst`. */
async function copyDirMeta(src: string, dst: string, st: Stats): Promise<void> {
  await lchown(dst, st.uid, st.gid);
  await chmod(dst, st.mode & 0o7777);
  for (const [name, value] of lgetxattrs(src)) {
    if (!OVERLAY_XATTRS.includes(name)) lsetxattr(dst, name, value);
  }
  await lutimes(dst, st.atime, st.mtime);
}

/** Removes overlay markers from a subtree moved in whole: whiteouts there hide nothing. */
async function cleanTree(dir: string): Promise<void> {
  for (const name of OVERLAY_XATTRS) lsetxattr(dir, name, null);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await cleanTree(p);
    else if (e.isCharacterDevice() && isWhiteout(await lstat(p))) await rm(p, { force: true });
  }
}

async function mergeDir(src: string, dst: string): Promise<void> {
  if (isOpaqueDir(src)) {
    for (const n of await readdir(dst)) if (join(dst, n) !== src) await rm(join(dst, n), { recursive: true, force: true });
  }
  for (const name of (await readdir(src)).sort()) {
    const s = join(src, name);
    const d = join(dst, name);
    const st = await lstat(s);
    const dt = await lstat(d).catch(() => null);
    if (isWhiteout(st)) {
      if (dt) await rm(d, { recursive: true, force: true });
      continue;
    }
    if (st.isDirectory() && dt?.isDirectory()) {
      await mergeDir(s, d);
      await copyDirMeta(s, d, st);
      continue;
    }
    if (dt) await rm(d, { recursive: true, force: true });
    await move(s, d);
    if (st.isDirectory()) await cleanTree(d);
  }
}

/** Applies `upper` onto the tree `target` and deletes `upper`. `target`'s own root keeps its metadata. */
export async function applyUpperDir(upper: string, target: string): Promise<void> {
  await mergeDir(upper, target);
  await rm(upper, { recursive: true, force: true });
  await rmdir(upper).catch(() => undefined);
}
