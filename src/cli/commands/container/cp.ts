// berth cp: docker cp's behaviour (docker/cli cli/command/container/cp.go). The archive
// API does the container side; the local side is GNU tar (creating the upload, extracting
// the download with the entries rebased as moby's PrepareArchiveCopy says). GNU tar
// refuses `..` members and delays symlinks that could redirect later members, so what a
// container sends cannot write outside the destination.
import { spawn } from 'node:child_process';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { posix, resolve as resolvePath } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContainerFsApi } from '../../../client/index.ts';
import { humanSize } from '../../format/human-size.ts';
import { writeOut } from '../../write-out.ts';
import type { CliContext } from '../../cli-context.ts';
import type { VerbSpec } from '../../verb.ts';
import {
  getRebaseName, goBase, goDir, hasTrailingSep, prepareArchiveCopy, preserveTrailingDotOrSeparator, rebaseTransform, splitCpArg,
  splitPathDirEntry, CopyPathError, type CopyInfo,
} from './cp-paths.ts';

interface CpOptions { archive?: boolean; followLink?: boolean; quiet?: boolean }
interface CpConfig { container: string; src: string; dst: string; followLink: boolean; copyUIDGID: boolean; quiet: boolean }

const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_TYPE_MASK = 2 ** 32 - 2 ** 19; // every os.FileMode type bit
const isDirMode = (m: number): boolean => m >= GO_DIR;
const isSymlinkMode = (m: number): boolean => Math.floor(m / GO_SYMLINK) % 2 === 1;
const isRegularMode = (m: number): boolean => (m & GO_TYPE_MASK) === 0 && m < GO_DIR;

export function cpVerb(): VerbSpec<CpOptions> {
  return {
    name: 'cp',
    usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    description: 'Copy files/folders between a container and the local filesystem',
    args: { min: 2, max: 2 },
    options: (cmd) => {
      cmd.option('-a, --archive', 'Archive mode (copy all uid/gid information)');
      cmd.option('-L, --follow-link', 'Always follow symbol link in SRC_PATH');
      cmd.option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached');
    },
    action: async ({ ctx, args, opts, client }) => {
      const [source, destination] = [args[0]!, args[1]!];
      if (source === '') throw new Error('source can not be empty');
      if (destination === '') throw new Error('destination can not be empty');
      const s = splitCpArg(source);
      const d = splitCpArg(destination);
      if (s.container !== '' && d.container !== '') throw new Error('copying between containers is not supported');
      if (s.container === '' && d.container === '') throw new Error('must specify at least one container source');
      const cfg: CpConfig = {
        container: s.container || d.container, src: s.path, dst: d.path, followLink: opts.followLink === true,
        copyUIDGID: opts.archive === true, quiet: opts.quiet === true || ctx.err.isTTY !== true,
      };
      const api = client().containerFs;
      if (s.container !== '') await copyFromContainer(ctx, api, cfg);
      else await copyToContainer(ctx, api, cfg);
    },
  };
}

function resolveLocalPath(p: string): string {
  return preserveTrailingDotOrSeparator(resolvePath(p), p);
}

async function validateOutputPath(p: string): Promise<void> {
  const dir = goDir(posix.normalize(p));
  if (dir !== '' && dir !== '.' && !(await stat(dir).catch(() => null))) {
    throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  }
  const st = await stat(p).catch(() => null);
  if (st && !st.isDirectory() && !st.isFile()) throw new Error(`invalid output path: ${JSON.stringify(p)} must be a directory or a regular file`);
}

/** moby CopyInfoDestinationPath: symlinks at the destination are followed (up to 10). */
async function destinationInfo(path: string): Promise<CopyInfo> {
  const original = path;
  let p = path;
  let st = await lstat(p).catch(() => null);
  for (let n = 0; st?.isSymbolicLink(); n++) {
    if (n > 10) throw new Error(`too many symlinks in ${original}`);
    let target = await readlink(p);
    if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(p)[0], target);
    p = target;
    st = await lstat(p).catch(() => null);
  }
  if (!st) {
    const parent = splitPathDirEntry(p)[0];
    const ps = await stat(parent).catch(() => null);
    if (!ps) throw new Error(`stat ${parent}: no such file or directory`);
    if (!ps.isDirectory()) throw new Error('not a directory');
    return { path: p, exists: false, isDir: false, rebaseName: '' };
  }
  return { path: p, exists: true, isDir: st.isDirectory(), rebaseName: '' };
}

/** moby CopyInfoSourcePath with ResolveHostSourcePath. */
async function sourceInfo(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    resolved = await realpath(path).catch(() => { throw new Error(`lstat ${path}: no such file or directory`); });
    [resolved, rebaseName] = getRebaseName(path, resolved);
  } else {
    const i = path.lastIndexOf('/');
    const dir = path.slice(0, i + 1);
    const base = path.slice(i + 1);
    const rdir = await realpath(dir || '.').catch(() => { throw new Error(`lstat ${path}: no such file or directory`); });
    resolved = `${rdir === '/' ? '' : rdir}/${base}`;
    if (hasTrailingSep(path) && goBase(path) !== goBase(resolved)) rebaseName = goBase(path);
  }
  const st = await lstat(resolved).catch(() => null);
  if (!st) throw new Error(`lstat ${resolved.replace(/\/$/, '')}: no such file or directory`);
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** Runs GNU tar; rejects with its message when it fails. */
function runTar(args: string[], stdin: Readable | null): { stdout: Readable; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<void>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res() : rej(new Error(err.trim().split('\n').filter((l) => !/Exiting with failure/.test(l)).join('\n') || `tar exited with ${code}`))));
  });
  if (stdin) stdin.pipe(child.stdin!).on('error', () => undefined);
  return { stdout: child.stdout!, done };
}

function counting(onBytes: (n: number) => void): PassThrough {
  const p = new PassThrough();
  p.on('data', (c: Buffer) => onBytes(c.length));
  return p;
}

async function copyFromContainer(ctx: CliContext, api: ContainerFsApi, cfg: CpConfig): Promise<void> {
  let dst = cfg.dst;
  if (dst !== '-') {
    dst = resolveLocalPath(dst);
    await validateOutputPath(dst);
  }
  let src = cfg.src;
  let rebaseName = '';
  if (cfg.followLink) {
    const st = await api.statPath(cfg.container, src).catch(() => null);
    if (st && isSymlinkMode(st.mode)) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(src)[0], target);
      [src, rebaseName] = getRebaseName(src, target);
    }
  }
  const { stat: s, tar } = await api.getArchive(cfg.container, src);
  if (dst === '-') {
    await pipeline(tar, ctx.out, { end: false });
    return;
  }
  const srcInfo: CopyInfo = { path: src, exists: true, isDir: isDirMode(s.mode), rebaseName };
  const transforms: string[] = [];
  if (rebaseName !== '') transforms.push(rebaseTransform(splitPathDirEntry(src)[1], rebaseName));
  const prep = prepareArchiveCopy(srcInfo, await destinationInfo(dst));
  if (prep.rebase) transforms.push(rebaseTransform(prep.rebase[0], prep.rebase[1]));
  let copied = 0;
  const counter = counting((n) => { copied += n; });
  const x = runTar(['-x', '-f', '-', '-C', prep.dstDir, '--no-same-owner', ...transforms.flatMap((t) => ['--transform', t])], counter);
  await Promise.all([pipeline(tar, counter), x.done]);
  if (!cfg.quiet) await writeOut(ctx.err, `Successfully copied ${humanSize(copied, 3)} to ${dst}\n`);
}

async function copyToContainer(ctx: CliContext, api: ContainerFsApi, cfg: CpConfig): Promise<void> {
  let src = cfg.src;
  if (src !== '-') src = resolveLocalPath(src);
  const dstInfo: CopyInfo = { path: cfg.dst, exists: false, isDir: false, rebaseName: '' };
  let st = await api.statPath(cfg.container, cfg.dst).catch(() => null);
  if (st && isSymlinkMode(st.mode)) {
    let target = st.linkTarget;
    if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(cfg.dst)[0], target);
    dstInfo.path = target;
    st = await api.statPath(cfg.container, target).catch(() => null);
  }
  if (st && !isDirMode(st.mode) && !isRegularMode(st.mode)) {
    throw new Error(`destination "${cfg.container}:${cfg.dst}" must be a directory or a regular file`);
  }
  if (st) { dstInfo.exists = true; dstInfo.isDir = isDirMode(st.mode); }
  if (src === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${cfg.container}:${cfg.dst}" must be a directory`);
    await api.putArchive(cfg.container, dstInfo.path, ctx.stdin, { copyUIDGID: cfg.copyUIDGID, noOverwriteDirNonDir: true });
    return;
  }
  const srcInfo = await sourceInfo(src, cfg.followLink);
  let prep: ReturnType<typeof prepareArchiveCopy>;
  try {
    prep = prepareArchiveCopy(srcInfo, dstInfo);
  } catch (err) {
    if (err instanceof CopyPathError) throw new Error(err.message);
    throw err;
  }
  const [dir, base] = splitPathDirEntry(srcInfo.path);
  const transforms: string[] = [];
  if (srcInfo.rebaseName !== '') transforms.push(rebaseTransform(base, srcInfo.rebaseName));
  if (prep.rebase) transforms.push(rebaseTransform(prep.rebase[0], prep.rebase[1]));
  const c = runTar(['-c', '-f', '-', '-C', dir, ...transforms.flatMap((t) => ['--transform', t]), '--', base], null);
  let copied = 0;
  const counter = counting((n) => { copied += n; });
  c.stdout.pipe(counter);
  const failed = c.done.catch((err: unknown) => { counter.destroy(err as Error); throw err; });
  await Promise.all([api.putArchive(cfg.container, prep.dstDir, counter, { copyUIDGID: cfg.copyUIDGID, noOverwriteDirNonDir: true }), failed]);
  if (!cfg.quiet) await writeOut(ctx.err, `Successfully copied ${humanSize(copied, 3)} to ${cfg.container}:${cfg.dst}\n`);
}
