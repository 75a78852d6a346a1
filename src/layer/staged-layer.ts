// Layers applied in parallel (a pull): each layer's tar is extracted into its own new
// directory of the graph driver before its parents exist ("staged"), and registered in
// chain order afterwards (commitStaged): overlay2 writes its `lower` file, the snapshot
// drivers apply it onto a copy of the parent (graph-driver.ts). OCI whiteouts (.wh.<name>, .wh..wh..opq) become overlay whiteouts (0:0 character
// devices, trusted.overlay.opaque=y) once the tar is out, found with one `find`.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execTool, newId, InvalidArgumentError } from '../lib/index.ts';
import type { GraphDriver } from './graph-driver.ts';
import { dirContentSize } from './dir-size.ts';
import { TarSplitRecorder, TarSplitWriter } from './tar-split.ts';

export interface StagedLayer { cacheId: string; diffId: string; size: number; /** Its tar-split record (tar-split.ts), moved into the layer record on commit. */ splitPath?: string }

/** Extracts an uncompressed layer tar into a new driver directory; diffID computed on the way. */
export async function stageLayerTar(driver: GraphDriver, tarStream: Readable, signal?: AbortSignal, splitPath?: string): Promise<StagedLayer> {
  const cacheId = newId();
  // Until committed a crash leaves a staged dir, which the driver's init() removes.
  const target = await driver.createStaged(cacheId);
  const split = splitPath ? new TarSplitWriter(splitPath) : null;
  let diffId: string;
  let size: number;
  try {
    diffId = await extractLayerTar(target, tarStream, split, signal);
    // The tar-split recorder saw every name: no whiteout entry, no `find` over the layer.
    if (split === null || split.whiteouts > 0) await convertWhiteouts(target);
    size = await dirContentSize(target);
  } catch (err) {
    if (split) { split.abort(); await rm(split.path, { force: true }); }
    await driver.discardStaged(cacheId);
    throw err;
  }
  return { cacheId, diffId, size, ...(splitPath ? { splitPath } : {}) };
}

/**
 * Streams an uncompressed layer tar into `tar -x` in `target` and returns its sha256 (the
 * diffID). One sink does it all per chunk: the header parser (tar-split.ts: records the
 * layer's tar-split and refuses an entry that would land outside `target` before tar sees
 * its header), the write into tar's stdin, then the hash, which runs while tar reads. On any
 * error tar is killed; the caller removes `target`.
 */
export async function extractLayerTar(target: string, source: Readable, split: TarSplitWriter | null, signal?: AbortSignal): Promise<string> {
  const tar = spawn('tar', ['-x', '--numeric-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '-C', target, '-f', '-'],
    { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((res) => tar.on('close', (code) => res(code ?? 1)));
  const onAbort = (): void => { tar.kill('SIGKILL'); };
  signal?.addEventListener('abort', onAbort, { once: true });
  const hash = createHash('sha256');
  try {
    await pipeline(source, layerSink(tar.stdin, hash, split));
  } catch (err) {
    tar.kill('SIGKILL');
    await exited;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const code = await exited;
  if (code !== 0) throw new InvalidArgumentError(`invalid layer tar: ${stderr.trim() || `tar exit ${code}`}`);
  return `sha256:${hash.digest('hex')}`;
}

/** The sink of extractLayerTar: parse (and record), pass to tar, hash. */
function layerSink(stdin: NodeJS.WritableStream & { destroyed?: boolean }, hash: ReturnType<typeof createHash>, split: TarSplitWriter | null): Writable {
  const guard = new TarSplitRecorder(() => undefined);
  const rec = split ?? { push: (c: Buffer) => guard.push(c), finish: async () => guard.finish() };
  const into = stdinWriter(stdin);
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _e, cb) {
      try { rec.push(chunk); } catch (err) { cb(err as Error); return; }
      into(chunk, cb);
      hash.update(chunk);
    },
    final(cb) {
      rec.finish().then(() => {
        if (!stdin.destroyed) stdin.end();
        cb();
      }, cb);
    },
  });
}

/**
 * Writes into a child's stdin, tolerating the child closing it: GNU tar stops reading at the
 * end-of-archive blocks and may exit before the padding after them arrives. The rest of the
 * stream still flows (and is hashed: the diffID covers every byte); tar's exit code says
 * whether the archive was good.
 */
function stdinWriter(stdin: NodeJS.WritableStream & { destroyed?: boolean }): (chunk: Buffer, cb: () => void) => void {
  let open = true;
  const closed = (): void => { open = false; };
  stdin.on('close', closed);
  stdin.on('error', closed);
  return (chunk, cb) => {
    if (!open || stdin.destroyed) { cb(); return; }
    if (stdin.write(chunk)) { cb(); return; }
    const done = (): void => { stdin.off('drain', done); stdin.off('close', done); cb(); };
    stdin.on('drain', done);
    stdin.on('close', done);
  };
}

/** Rewrites OCI whiteout files left by tar into overlayfs whiteouts. */
export async function convertWhiteouts(dir: string): Promise<number> {
  const r = await execTool('find', [dir, '-name', '.wh.*', '-print0'], { allowFailure: true });
  const paths = r.stdout.split('\0').filter(Boolean).sort((a, b) => b.length - a.length);
  for (const p of paths) {
    const name = basename(p);
    const parent = dirname(p);
    await rm(p, { recursive: true, force: true });
    if (name === '.wh..wh..opq') {
      await execTool('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', parent]);
    } else if (!name.startsWith('.wh..wh.')) {
      const victim = join(parent, name.slice('.wh.'.length));
      await rm(victim, { recursive: true, force: true });
      await execTool('mknod', ['-m', '0', victim, 'c', '0', '0']);
    }
  }
  return paths.length;
}

/** Registers a staged layer on its parents (nearest first) in the driver. */
export async function linkStagedParents(driver: GraphDriver, cacheId: string, parentCacheIds: readonly string[]): Promise<void> {
  await driver.commitStaged(cacheId, parentCacheIds);
}
