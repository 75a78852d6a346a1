// Crash-safe file writes: temp file in the same directory, fsync, rename, fsync the
// directory. A reader sees the old content or the new, never a torn file (STYLE.md §7.4).
import { open, rename, readFile, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  /** Skip the fsyncs (for per-boot state on tmpfs, where a crash loses everything anyway). */
  durable?: boolean;
}

// Temp names need only be unique among this process's writes (a daemon owns its data root;
// the pid keeps two processes apart): a counter, not random bytes per write.
let seq = 0;

export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${(++seq).toString(36)}.tmp`);
  const durable = options.durable ?? true;
  const fh = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  if (durable) {
    const dh = await open(dir, 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  }
}

export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), options);
}

/** Reads and parses a JSON file; undefined when it does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

export async function ensureDir(path: string, mode = 0o700): Promise<void> {
  await mkdir(path, { recursive: true, mode });
}
