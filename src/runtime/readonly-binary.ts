// conmon runs `crun delete` when a container exits (its exit command), possibly after berthd
// is gone, so that command cannot use berthd's sealed in-memory copy (sealed-binary.ts). From
// its own path crun would clone itself into a memfd and exec again (~3 ms of CPU and a second
// load of its libraries, at every container exit). crun skips the clone when its binary sits
// on a read-only mount (its is_self_cloned test: a container cannot write the host's binary
// through /proc/<pid>/exe there either), so berthd bind-mounts the binary read-only into the
// exec root once and gives conmon that path. The mount lives with the exec root: a berthd
// that stops with no container running removes it.
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execTool } from '../lib/index.ts';

/** The mount options of the mount point `path` (mountinfo(5) field 6), or null when `path` is not one. */
export function mountOptionsAt(mountinfo: string, path: string): string[] | null {
  let found: string[] | null = null;
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    // The last mount at a point is the one in effect.
    if (f[4] === path) found = (f[5] ?? '').split(',');
  }
  return found;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a), stat(b)]);
  return x.dev === y.dev && x.ino === y.ino;
}

const mountOptions = async (path: string): Promise<string[] | null> => mountOptionsAt(await readFile('/proc/self/mountinfo', 'utf8'), path);

/** `path`, mounted with `opts`, is a read-only binding of `binary`. */
async function isReadOnlyBindOf(opts: string[] | null, binary: string, path: string): Promise<boolean> {
  return opts?.includes('ro') === true && await sameFile(binary, path);
}

/** `binary` bind-mounted read-only under `dir`; null when that cannot be done (use the binary's own path). */
export async function readOnlyBinding(binary: string, dir: string): Promise<string | null> {
  const path = join(dir, basename(binary));
  try {
    const opts = await mountOptions(path);
    if (await isReadOnlyBindOf(opts, binary, path)) return path;
    // A binding of a binary since replaced (a package upgrade): the new one takes its place;
    // monitors still using the old one keep it until they are done.
    if (opts !== null) await execTool('umount', ['-l', path]);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path, '', { mode: 0o700 });
    await execTool('mount', ['--bind', '-o', 'ro', binary, path]);
    return (await isReadOnlyBindOf(await mountOptions(path), binary, path)) ? path : null;
  } catch {
    return null;
  }
}

/** Unmounts every binding under `dir` (call only when no container runs: their monitors use them). */
export async function releaseReadOnlyBindings(dir: string): Promise<void> {
  let names: string[];
  try { names = await readdir(dir); } catch { return; }
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const n of names) {
    const path = join(dir, n);
    if (mountOptionsAt(mountinfo, path) === null) continue;
    // Lazily: the monitor of a container removed a moment ago may still run its exit command.
    await execTool('umount', ['-l', path]).catch(() => undefined);
  }
}
