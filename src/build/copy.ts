// COPY and ADD: source matching (paths and Go filepath.Match globs, under the context or
// another stage's rootfs), the content hash of the sources (the cache key: path, mode,
// owner, bytes; not mtime), and copying into a mounted rootfs with Docker's destination rules
// (a trailing `/` or several sources make a directory; a directory source copies its
// contents), ownership (0:0 from the context unless --chown), --chmod, and ADD's local
// archive extraction. Every destination path is resolved inside the rootfs (scoped-path.ts).
import { createHash } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { copyFile, chmod, lchown, lstat, mkdir, open, readdir, readFile, readlink, rm, stat, symlink, utimes } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import type { IgnoreMatcher } from '../lib/index.ts';
import { compressionOf, extractTar, looksLikeTar, type FileDigests } from './context/extract.ts';
import { mkdirInRoot, resolveInRoot, resolveInRootSync } from './scoped-path.ts';

export class CopyError extends Error {}

export interface SourceEntry {
  /** Host path of the source (symlinks of the source path itself resolved). */
  hostPath: string;
  /** Path relative to the source root (for .dockerignore checks inside directories). */
  rel: string;
  isDir: boolean;
  /** Its stat as matchSources saw it (saves hashSources a second one). */
  st?: import('node:fs').Stats | undefined;
}

const GLOB_RE = /[*?[\\]/;

/** Go's filepath.Match for one path element. */
export function matchElement(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new CopyError(`syntax error in pattern`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}

/**
 * Expands one source (a path or a glob) under `root`. `ignore` hides excluded context files.
 * `local`: the root is a build context on the local disk; a plain path is then resolved with
 * synchronous calls (see resolveInRootSync).
 */
export async function matchSources(root: string, source: string, ignore: IgnoreMatcher | null, local = false): Promise<SourceEntry[]> {
  const clean = posix.normalize('/' + source).slice(1);
  if (clean === '' || clean === '.') {
    return [{ hostPath: root, rel: '', isDir: true }];
  }
  const parts = clean.split('/').filter((p) => p !== '');
  if (!parts.some((p) => GLOB_RE.test(p))) {
    const host = local ? resolveInRootSync(root, clean) : await resolveInRoot(root, clean);
    const st = local ? statOrNull(host) : await stat(host).catch(() => null);
    if (!st || (ignore && ignore.excludes(clean))) return [];
    return [{ hostPath: host, rel: clean, isDir: st.isDirectory(), st }];
  }
  let found: string[] = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of found) {
      if (!GLOB_RE.test(part)) { next.push(base ? `${base}/${part}` : part); continue; }
      const dir = await resolveInRoot(root, base || '/');
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const n of names.sort()) if (matchElement(part, n)) next.push(base ? `${base}/${n}` : n);
    }
    found = next;
  }
  const out: SourceEntry[] = [];
  for (const rel of found) {
    if (ignore && ignore.excludes(rel)) continue;
    const host = await resolveInRoot(root, rel);
    const st = await stat(host).catch(() => null);
    if (st) out.push({ hostPath: host, rel, isDir: st.isDirectory(), st });
  }
  return out;
}

/**
 * The sha256 of a file's bytes; taken from `known` (the digests made while the context was
 * extracted) when the file's size and mtime are still the recorded ones, else read and kept.
 */
function statOrNull(path: string): Stats | null {
  try { return statSync(path, { throwIfNoEntry: false }) ?? null; } catch { return null; }
}

async function fileDigest(path: string, st: { size: number; mtimeMs: number }, known: FileDigests | undefined): Promise<string> {
  const k = known?.get(path);
  if (k && k.size === st.size && Math.round(k.mtimeMs) === Math.round(st.mtimeMs)) return k.sha256;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  const sha256 = h.digest('hex');
  known?.set(path, { sha256, size: st.size, mtimeMs: st.mtimeMs });
  return sha256;
}

async function hashFile(path: string, st: { size: number; mtimeMs: number }, h: ReturnType<typeof createHash>, known: FileDigests | undefined): Promise<void> {
  h.update(await fileDigest(path, st, known));
}

/** The content hash of the sources: names, modes, owners, link targets and bytes; not mtimes. */
export async function hashSources(entries: readonly SourceEntry[], ignore: IgnoreMatcher | null, known?: FileDigests): Promise<string> {
  const h = createHash('sha256');
  const visit = async (host: string, rel: string, name: string): Promise<void> => {
    const st = await lstat(host);
    h.update(`${name}\0${st.mode}\0${st.uid}:${st.gid}\0`);
    if (st.isSymbolicLink()) h.update(`->${await readlink(host)}\0`);
    else if (st.isFile()) { h.update(`${st.size}\0`); await hashFile(host, st, h, known); }
    else if (st.isDirectory()) {
      for (const child of (await readdir(host)).sort()) {
        const crel = rel ? `${rel}/${child}` : child;
        if (ignore && ignore.excludes(crel) && !ignore.mayIncludeBelow(crel)) continue;
        if (ignore && ignore.excludes(crel) && !(await lstat(join(host, child))).isDirectory()) continue;
        await visit(join(host, child), crel, `${name}/${child}`);
      }
    }
    h.update('\n');
  };
  for (const e of entries) {
    // A source named by a symlink is followed (stat in matchSources), so hash its target.
    const st = e.st ?? await stat(e.hostPath);
    if (st.isDirectory()) await visit(e.hostPath, e.rel, e.rel || '.');
    else { h.update(`${e.rel}\0${st.mode}\0${st.uid}:${st.gid}\0${st.size}\0`); await hashFile(e.hostPath, st, h, known); h.update('\n'); }
  }
  return h.digest('hex');
}

export interface CopyOptions {
  rootfs: string;
  /** Absolute destination inside the image. */
  dest: string;
  /** Destination is a directory (ends with `/`, or several sources). */
  destIsDir: boolean;
  /** Owner of everything copied; null keeps the source's owner. */
  owner: { uid: number; gid: number } | null;
  chmod: number | null;
  ignore: IgnoreMatcher | null;
  /** ADD: local tar archives are extracted into the destination. */
  extractArchives: boolean;
  /** Scratch space on the same host for ADD's archive extraction. */
  tmpDir: string;
  /** --parents: each source keeps its path (relative to the source root) under the destination. */
  parents?: boolean;
}

async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead);
    return compressionOf(head) !== null || looksLikeTar(head);
  } finally {
    await fh.close();
  }
}

async function replace(target: string): Promise<void> {
  const st = await lstat(target).catch(() => null);
  if (st) await rm(target, { recursive: true, force: true });
}

async function copyOneFile(src: string, target: string, o: CopyOptions): Promise<void> {
  const st = await stat(src);
  await replace(target);
  await copyFile(src, target);
  await chmod(target, o.chmod ?? (st.mode & 0o7777));
  const owner = o.owner ?? { uid: st.uid, gid: st.gid };
  await lchown(target, owner.uid, owner.gid);
  await utimes(target, st.atime, st.mtime);
}

/** Copies the contents of `srcDir` into the image directory `imageDir`. */
async function copyDirContents(srcDir: string, rel: string, imageDir: string, o: CopyOptions): Promise<void> {
  const destHost = await mkdirInRoot(o.rootfs, imageDir, o.owner ?? undefined);
  for (const name of (await readdir(srcDir)).sort()) {
    const crel = rel ? `${rel}/${name}` : name;
    const src = join(srcDir, name);
    const st = await lstat(src);
    if (o.ignore && o.ignore.excludes(crel) && !(st.isDirectory() && o.ignore.mayIncludeBelow(crel))) continue;
    const childImage = posix.join(imageDir, name);
    if (st.isDirectory()) {
      const existing = await lstat(join(destHost, name)).catch(() => null);
      if (existing && !existing.isDirectory() && !existing.isSymbolicLink()) await rm(join(destHost, name), { force: true });
      const created = !existing;
      const host = await mkdirInRoot(o.rootfs, childImage);
      if (created || existing?.isDirectory()) {
        await chmod(host, o.chmod ?? (st.mode & 0o7777));
        const owner = o.owner ?? { uid: st.uid, gid: st.gid };
        await lchown(host, owner.uid, owner.gid);
      }
      await copyDirContents(src, crel, childImage, o);
      await utimes(host, st.atime, st.mtime).catch(() => undefined);
    } else if (st.isSymbolicLink()) {
      const target = join(destHost, name);
      await replace(target);
      await symlink(await readlink(src), target);
      const owner = o.owner ?? { uid: st.uid, gid: st.gid };
      await lchown(target, owner.uid, owner.gid);
    } else if (st.isFile()) {
      await copyOneFile(src, join(destHost, name), o);
    }
  }
}

/** Copies the matched sources into the rootfs following Docker's rules. */
export async function copySources(entries: readonly SourceEntry[], o: CopyOptions): Promise<void> {
  for (const e of entries) {
    if (o.parents && e.rel !== '') {
      const under = posix.join(o.dest, posix.dirname(e.rel));
      const sub: CopyOptions = { ...o, parents: false, dest: e.isDir ? posix.join(o.dest, e.rel) : under, destIsDir: true };
      await copySources([e], sub);
      continue;
    }
    if (e.isDir) {
      const existed = await stat(await resolveInRoot(o.rootfs, o.dest)).then(() => true, () => false);
      await copyDirContents(e.hostPath, e.rel, o.dest, o);
      if (!existed) {
        // A directory the copy created takes the source directory's mode and owner.
        const st = await stat(e.hostPath);
        const host = await resolveInRoot(o.rootfs, o.dest);
        await chmod(host, o.chmod ?? (st.mode & 0o7777));
        const owner = o.owner ?? { uid: st.uid, gid: st.gid };
        await lchown(host, owner.uid, owner.gid);
      }
      continue;
    }
    if (o.extractArchives && await isArchive(e.hostPath)) {
      const tmp = join(o.tmpDir, `add-${Math.random().toString(36).slice(2)}`);
      try {
        await extractTar(createReadStream(e.hostPath), tmp, { sameOwner: true });
        await copyDirContents(tmp, '', o.dest, { ...o, ignore: null });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      continue;
    }
    let targetImage: string;
    if (o.destIsDir) targetImage = posix.join(o.dest, basename(e.rel || e.hostPath));
    else {
      const destHost = await resolveInRoot(o.rootfs, o.dest);
      const st = await stat(destHost).catch(() => null);
      targetImage = st?.isDirectory() ? posix.join(o.dest, basename(e.rel || e.hostPath)) : o.dest;
    }
    const parent = await mkdirInRoot(o.rootfs, posix.dirname(targetImage), o.owner ?? undefined);
    await copyOneFile(e.hostPath, join(parent, posix.basename(targetImage)), o);
  }
}

/** Resolves `--chown=user[:group]` with the image's /etc/passwd and /etc/group. */
export async function resolveOwner(rootfs: string | null, spec: string): Promise<{ uid: number; gid: number }> {
  const [user = '', group] = spec.split(':');
  const lookup = async (file: string, name: string, what: string): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    if (rootfs === null) throw new CopyError(`unable to convert uid/gid chown string to host mapping: can't find ${what} for ${name}: no such ${what === 'uid' ? 'user' : 'group'}: ${name}`);
    const text = await readFile(await resolveInRoot(rootfs, file), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
    throw new CopyError(`unable to convert uid/gid chown string to host mapping: can't find ${what} for ${what === 'uid' ? 'user' : 'group'} ${name}: no such ${what === 'uid' ? 'user' : 'group'}: ${name}`);
  };
  const uid = await lookup('/etc/passwd', user, 'uid');
  const gid = group === undefined || group === '' ? uid : await lookup('/etc/group', group, 'gid');
  return { uid, gid };
}

export function parseChmod(spec: string): number {
  if (!/^[0-7]{1,4}$/.test(spec)) throw new CopyError(`invalid chmod parameter: ${spec}`);
  return parseInt(spec, 8);
}

/** Downloads an ADD URL into `dir`; resolves the file path (mode 0600, mtime from Last-Modified). */
export async function downloadUrl(url: string, dir: string, signal: AbortSignal, checksum: string | null = null): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]), redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new CopyError(`failed to download ${url}: ${cause}`);
  }
  if (!res.ok || !res.body) throw new CopyError(`failed to download ${url}: ${res.status} ${res.statusText}`);
  const name = basename(new URL(url).pathname) || 'index.html';
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const fh = await open(path, 'w', 0o600);
  const digest = createHash('sha256');
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) { digest.update(chunk); await fh.write(chunk); }
  } finally {
    await fh.close();
  }
  if (checksum !== null) {
    const got = `sha256:${digest.digest('hex')}`;
    if (!/^sha256:[0-9a-f]{64}$/.test(checksum)) throw new CopyError(`invalid checksum ${checksum}: expected sha256:<64 hex digits>`);
    if (got !== checksum) throw new CopyError(`digest mismatch for ${url}: expected ${checksum}, got ${got}`);
  }
  const lm = res.headers.get('last-modified');
  if (lm && !Number.isNaN(Date.parse(lm))) await utimes(path, new Date(lm), new Date(lm));
  return path;
}
