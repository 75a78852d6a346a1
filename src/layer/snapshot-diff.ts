// The differ of the snapshot drivers (vfs, btrfs): compares a layer's tree with its
// parent's (moby pkg/archive changes.go ChangesDirs, the "naive diff") and writes the
// changes as an upper dir in overlay format, so commit, build and diff treat every driver
// alike. A path is changed when its type, mode, owner or device differ, or (not for dirs)
// its size or mtime; a path only in the parent becomes a whiteout (0:0 character device).
// New dirs (whole) and changed files are copied with one `cp -a --parents --reflink=auto`
// (on btrfs no data is copied; hard links among the copied paths are kept).
import { lstat, mkdir, readdir, lchown, chmod, lutimes } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { execTool } from '../lib/index.ts';
import { lgetxattrs, lsetxattr } from './xattr.ts';

const S_IFMT = 0o170000n;

/** True when a non-dir entry or a dir's attributes differ between the two stats. */
export function statDiffers(a: Pick<BigIntStats, 'mode' | 'uid' | 'gid' | 'rdev' | 'size' | 'mtimeNs'>, b: Pick<BigIntStats, 'mode' | 'uid' | 'gid' | 'rdev' | 'size' | 'mtimeNs'>): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  const isDir = (a.mode & S_IFMT) === 0o040000n;
  return !isDir && (a.size !== b.size || a.mtimeNs !== b.mtimeNs);
}

export interface TreeDiff {
  /** Bytes of the regular files added or changed (Docker's SizeRw). */
  size: number;
  /** Paths added, changed or deleted (not counting the parents of changed paths). */
  changes: number;
}

async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(p);
    else if (e.isFile()) total += (await lstat(p)).size;
  }
  return total;
}

/**
 * Diffs `upper` against `lower` (null: no parent, everything is new). With `out` (a new
 * empty dir on any filesystem) the changes are written there in overlay format; without it
 * only counted.
 */
export async function diffTrees(lower: string | null, upper: string, out: string | null): Promise<TreeDiff> {
  const result: TreeDiff = { size: 0, changes: 0 };
  const made = new Set<string>(['']);
  const madeOrder: string[] = [];
  const copies: string[] = [];
  const whiteouts: string[] = [];
  const ensure = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    await ensure(parent);
    await mkdir(join(out!, rel), { mode: 0o700 });
    made.add(rel);
    madeOrder.push(rel);
  };
  const walk = async (rel: string): Promise<boolean> => {
    const up = join(upper, rel);
    const uNames = (await readdir(up)).sort();
    const lNames = lower === null ? [] : await readdir(join(lower, rel)).catch(() => [] as string[]);
    const uSet = new Set(uNames);
    let changed = false;
    for (const name of lNames) {
      if (uSet.has(name)) continue;
      changed = true;
      result.changes++;
      if (out) { await ensure(rel); whiteouts.push(join(out, rel, name)); }
    }
    for (const name of uNames) {
      const r = rel ? `${rel}/${name}` : name;
      const su = await lstat(join(upper, r), { bigint: true });
      const sl = lower === null ? null : await lstat(join(lower, r), { bigint: true }).catch(() => null);
      const uDir = su.isDirectory();
      if (uDir && sl?.isDirectory()) {
        const metaChanged = statDiffers(su, sl);
        const inner = await walk(r);
        if (metaChanged) {
          result.changes++;
          if (out) await ensure(r);
        }
        changed ||= metaChanged || inner;
        continue;
      }
      if (sl && !statDiffers(su, sl) && !uDir) continue;
      changed = true;
      result.changes++;
      if (uDir) result.size += await treeSize(join(upper, r));
      else if (su.isFile()) result.size += Number(su.size);
      if (out) {
        await ensure(rel);
        copies.push(`./${r}`);
      }
    }
    return changed;
  };
  await walk('');
  if (!out) return result;
  // One cp for many paths: it keeps the hard links among everything it copies.
  for (let i = 0; i < copies.length; i += 2000) {
    await execTool('cp', ['-a', '--parents', '--reflink=auto', '-t', out, '--', ...copies.slice(i, i + 2000)], { cwd: upper });
  }
  for (let i = 0; i < whiteouts.length; i += 500) {
    await execTool('sh', ['-c', 'for p; do mknod -m 0 "$p" c 0 0 || exit 1; done', 'sh', ...whiteouts.slice(i, i + 500)]);
  }
  // The dirs made to hold changes take the upper dir's attributes, deepest first (their
  // times change while children are added).
  for (const rel of madeOrder.reverse()) {
    const src = join(upper, rel);
    const st = await lstat(src);
    const dst = join(out, rel);
    await lchown(dst, st.uid, st.gid);
    await chmod(dst, st.mode & 0o7777);
    for (const [name, value] of lgetxattrs(src)) lsetxattr(dst, name, value);
    await lutimes(dst, st.atime, st.mtime);
  }
  return result;
}
