// The path rules of `docker cp`, pure (docker/cli cli/command/container/cp.go and moby
// pkg/archive copy.go): which side is a container, trailing "/" and "/." meaning "a
// directory" and "its contents", the base name an archive is rebased to, and where an
// archive is extracted. Go's filepath semantics are kept (Base("/") is "/", Clean("") is ".").
import { posix } from 'node:path';

export interface CopyInfo { path: string; exists: boolean; isDir: boolean; rebaseName: string }

/** splitCpArg: "ctr:/p" -> container and path; absolute paths and "./x:y" stay local. */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

export function goClean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function goBase(p: string): string {
  if (p === '') return '.';
  const s = p.replace(/\/+$/, '');
  if (s === '') return '/';
  return s.slice(s.lastIndexOf('/') + 1);
}

export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}

export const hasTrailingSep = (p: string): boolean => p.endsWith('/');
export const specifiesCurrentDir = (p: string): boolean => goBase(p) === '.';
export const assertsDirectory = (p: string): boolean => hasTrailingSep(p) || specifiesCurrentDir(p);

export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let c = cleaned;
  if (!specifiesCurrentDir(c) && specifiesCurrentDir(original)) {
    if (!hasTrailingSep(c)) c += '/';
    c += '.';
  }
  if (!hasTrailingSep(c) && hasTrailingSep(original)) c += '/';
  return c;
}

/** SplitPathDirEntry: the directory and the entry in it ("/a/b/." -> ["/a/b", "."]). */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [goDir(cleaned), goBase(cleaned)];
}

/** GetRebaseName: keeps the requested name when following a link changed the last element. */
export function getRebaseName(path: string, resolved: string): [string, string] {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += '/.';
  if (hasTrailingSep(path) && !hasTrailingSep(r)) r += '/';
  return [r, goBase(path) !== goBase(r) ? goBase(path) : ''];
}

export class CopyPathError extends Error {}

/**
 * PrepareArchiveCopy: where the archive of `src` is extracted for `dst`, and which first
 * path element of its entries is renamed ([old, new]) on the way.
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; rebase: [string, string] | null } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let srcBase = splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dstDir: dst.path, rebase: null };
  if (dst.exists && src.isDir) throw new CopyPathError('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CopyPathError('no such directory');
  if (src.rebaseName !== '') srcBase = src.rebaseName;
  return { dstDir, rebase: [srcBase, dstBase] };
}

/**
 * A GNU tar --transform doing RebaseArchiveEntries' strings.Replace(name, old, new, 1) on
 * entry names and hard-link targets, not on symlink targets (flag S).
 */
export function rebaseTransform(oldBase: string, newBase: string): string {
  const re = oldBase === '/' || oldBase === '' ? '^' : oldBase.replace(/[\\^$.*[\],]/g, (c) => `\\${c}`);
  const rep = newBase.replace(/[\\&,]/g, (c) => `\\${c}`);
  return `s,${re},${rep},S`;
}
