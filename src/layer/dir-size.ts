// A layer's size as Docker reports it (moby pkg/directory Size, the overlay2 driver's
// DiffSize): the bytes of every entry that is not a directory (files, symlink targets,
// whiteouts of 0 bytes), each hard-linked inode counted once.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirContentSize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try { names = await readdir(dir); } catch { return; }
    for (const name of names) {
      const p = join(dir, name);
      const st = await lstat(p).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) { await walk(p); continue; }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(root);
  return total;
}
