// Disk usage of a directory tree (moby pkg/directory.Size): the sum of the sizes of regular
// files and symlinks, each hard-linked inode counted once, without following symlinks or
// crossing into other filesystems mounted below it.
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

export async function dirSize(root: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  let rootDev: number;
  try { rootDev = (await lstat(root)).dev; } catch { return 0; }
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let handle;
    try { handle = await opendir(dir); } catch { continue; }
    for await (const e of handle) {
      const p = join(dir, e.name);
      let st;
      try { st = await lstat(p); } catch { continue; }
      if (st.dev !== rootDev) continue;
      if (st.isDirectory()) { stack.push(p); continue; }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  }
  return total;
}
