// The runtime bind-mounts the engine's /etc/hosts, /etc/hostname and /etc/resolv.conf into
// every container, and creates their mount points when the image lacks them: in the
// container's upper dir, a copy-up of /etc and three new files on the data root's disk at
// every start (inode allocations cost ~0.4 ms of CPU each on this host's ext4), and as many
// deletions at removal. Docker keeps these mount points in a per-container "-init" layer.
// overlay2 puts one shared, read-only lower on top of the image's layers instead: made once,
// used by every container whose image has /etc as a directory (or none), holding /etc with
// the image's own owner and mode (a merged directory takes its attributes from the topmost
// layer that has it) and the three empty files. An image whose /etc is anything else (a
// symlink) mounts without it, as before.
import { chmod, chown, lstat, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The engine's mount points in /etc (the files the runtime bind-mounts). */
export const INIT_FILES = ['hosts', 'hostname', 'resolv.conf'] as const;

/** What the image's layers say about /etc, from the topmost layer that has the name. */
export type EtcInImage =
  | { kind: 'dir'; uid: number; gid: number; mode: number }
  | { kind: 'absent' }
  | { kind: 'other' };

/** The init lower's variant name for an image's /etc, or null when it must not be used. */
export function initVariant(etc: EtcInImage): string | null {
  if (etc.kind === 'other') return null;
  const { uid, gid, mode } = etc.kind === 'dir' ? etc : { uid: 0, gid: 0, mode: 0o755 };
  return `${uid}-${gid}-${(mode & 0o7777).toString(8)}`;
}

/** Reads /etc of the topmost layer (of `lowerDirs`, nearest first) that has the name. */
export async function etcInLayers(lowerDirs: readonly string[]): Promise<EtcInImage> {
  for (const dir of lowerDirs) {
    const st = await lstat(join(dir, 'etc')).catch(() => null);
    if (!st) continue;
    // A whiteout (char device 0:0) deletes the lower layers' /etc.
    if (st.isCharacterDevice() && st.rdev === 0) return { kind: 'absent' };
    if (st.isDirectory()) return { kind: 'dir', uid: st.uid, gid: st.gid, mode: st.mode };
    return { kind: 'other' };
  }
  return { kind: 'absent' };
}

/** Makes the variant's directory under `root` once (by rename of a finished tree); returns its path. */
export async function ensureInitLower(root: string, variant: string): Promise<string> {
  const dir = join(root, variant);
  if (await stat(join(dir, 'etc', INIT_FILES[INIT_FILES.length - 1]!)).then(() => true, () => false)) return dir;
  const [uid, gid, mode] = variant.split('-');
  const tmp = join(root, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(join(tmp, 'etc'), { recursive: true, mode: 0o755 });
    for (const f of INIT_FILES) await writeFile(join(tmp, 'etc', f), '', { mode: 0o644 });
    await chown(join(tmp, 'etc'), Number(uid), Number(gid));
    await chmod(join(tmp, 'etc'), Number.parseInt(mode!, 8));
    // A racing maker may have won: its tree is the same.
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}
