// The build context as docker/cli sends it: a tar of the context directory, streamed,
// without what .dockerignore excludes (the Dockerfile and .dockerignore always go), and a
// Dockerfile that lies outside the context added under a random name.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { pack, type Header } from 'tar-stream';
import { IgnoreMatcher, parseDockerignore } from '../../../lib/index.ts';

export interface ContextTar {
  stream: Readable;
  /** The Dockerfile's name inside the tar (for ?dockerfile=). */
  dockerfile: string;
}

/** A file added to the tar after the context (berth's build secrets sidecar). */
export interface ExtraEntry { name: string; content: Buffer; mode: number }

export async function contextTar(dir: string, dockerfile: string | undefined, extra: readonly ExtraEntry[] = []): Promise<ContextTar> {
  const root = resolve(dir);
  const dfAbs = dockerfile ? resolve(dockerfile === '-' ? '/dev/stdin' : dockerfile) : join(root, 'Dockerfile');
  let dfName = relative(root, dfAbs).split('\\').join('/');
  const outside = dfName.startsWith('..') || dockerfile === '-';
  if (outside) dfName = `.dockerfile.${randomBytes(10).toString('hex')}`;
  const ignoreText = await readFile(`${dfAbs}.dockerignore`, 'utf8').catch(() => readFile(join(root, '.dockerignore'), 'utf8')).catch(() => '');
  const lines = parseDockerignore(ignoreText);
  const ignore = lines.length ? new IgnoreMatcher(lines) : null;
  const keep = new Set([dfName, '.dockerignore']);
  const p = pack();
  const add = (h: Header & { name: string }, file?: string): Promise<void> => new Promise((res, rej) => {
    if (file === undefined) {
      if (h.type === 'file') p.entry(h, Buffer.alloc(0), (e) => (e ? rej(e) : res()));
      else p.entry(h, (e) => (e ? rej(e) : res()));
      return;
    }
    const sink = p.entry(h, (e) => (e ? rej(e) : res()));
    createReadStream(file).on('error', rej).pipe(sink as unknown as NodeJS.WritableStream);
  });
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(root, r);
      const st = await lstat(abs);
      if (ignore && !keep.has(r) && ignore.excludes(r) && !(st.isDirectory() && ignore.mayIncludeBelow(r))) continue;
      const base = { name: r, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (st.isDirectory()) {
        await add({ ...base, type: 'directory' } as Header);
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await add({ ...base, type: 'symlink', linkname: await readlink(abs) } as Header);
      } else if (st.isFile()) {
        await add({ ...base, type: 'file', size: st.size } as Header, st.size > 0 ? abs : undefined);
      }
    }
  };
  const run = async (): Promise<void> => {
    await walk('');
    if (outside) {
      const content = await readFile(dfAbs);
      await new Promise<void>((res, rej) => p.entry({ name: dfName, mode: 0o644, size: content.length, mtime: new Date() }, content, (e) => (e ? rej(e) : res())));
    }
    for (const x of extra) {
      await new Promise<void>((res, rej) => p.entry({ name: x.name, mode: x.mode, size: x.content.length, mtime: new Date() }, x.content, (e) => (e ? rej(e) : res())));
    }
    p.finalize();
  };
  run().catch((e: Error) => p.destroy(e));
  return { stream: Readable.from(p as unknown as AsyncIterable<Buffer>), dockerfile: dfName };
}
