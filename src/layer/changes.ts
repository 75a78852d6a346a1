// A container layer's changes against its image, as `docker diff` shows them (moby
// pkg/archive changes.go with the overlay delete rule): the upper dir is walked in lexical
// order; a whiteout (char device 0:0) is a Delete, a path no lower layer has is an Add,
// one a lower layer has is a Modify, except a directory with the lower one's mode, which
// is listed (Modify) only as the parent of a change, before it.
// The engine's own mount points (Docker keeps them in its "-init" layer) are skipped.
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isOpaqueDir } from './xattr.ts';

export type ChangeKind = 0 | 1 | 2; // Modify, Add, Delete (moby archive.ChangeType)
export interface LayerChange { Path: string; Kind: ChangeKind }

/** Mount points the runtime makes in every container (Docker's init layer). */
const INIT_PATHS: ReadonlySet<string> = new Set([
  '/.dockerenv', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab',
  '/dev', '/dev/console', '/dev/pts', '/dev/shm', '/proc', '/sys',
]);

export async function overlayChanges(upper: string, lowers: readonly string[]): Promise<LayerChange[]> {
  const out: LayerChange[] = [];
  const changedDirs = new Set<string>();
  const inLower = async (p: string): Promise<import('node:fs').Stats | null> => {
    for (const l of lowers) {
      const st = await stat(join(l, p)).catch(() => null);
      if (st) return st;
    }
    return null;
  };
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(upper, rel)).catch(() => [] as string[])).sort();
    for (const name of names) {
      const path = `${rel}/${name}`;
      const host = join(upper, path);
      const f = await lstat(host).catch(() => null);
      if (!f) continue;
      const skip = INIT_PATHS.has(path) && (f.isDirectory() || f.size === 0);
      if (!skip) {
        let kind: ChangeKind | null;
        if (f.isCharacterDevice() && f.rdev === 0) {
          kind = 2;
        } else {
          const low = await inLower(path);
          kind = low === null ? 1 : 0;
          // A directory the lower has with the same mode is listed only as the parent of a
          // change: its mtime also moves when the runtime makes its mount points (Docker
          // keeps those in its init layer, below the container's).
          if (low && low.isDirectory() && f.isDirectory() && !isOpaqueDir(host) && low.mode === f.mode) kind = null;
        }
        if (kind !== null) {
          {
            const parent = rel === '' ? '/' : rel;
            if (parent !== '/' && !changedDirs.has(parent)) {
              out.push({ Path: parent, Kind: 0 });
              changedDirs.add(parent);
            }
          }
          if (f.isDirectory()) changedDirs.add(path);
          out.push({ Path: path, Kind: kind });
        }
      }
      if (f.isDirectory() && !(path === '/proc' || path === '/sys')) await walk(path);
    }
  };
  await walk('');
  return out;
}
