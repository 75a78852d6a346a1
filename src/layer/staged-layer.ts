// Layers applied in parallel (a pull): each layer's tar is extracted into its own new
// directory of the graph driver before its parents exist ("staged"), and registered in
// chain order afterwards (commitStaged): overlay2 writes its `lower` file, the snapshot
// drivers apply it onto a copy of the parent (graph-driver.ts). OCI whiteouts (.wh.<name>, .wh..wh..opq) become overlay whiteouts (0:0 character
// devices, trusted.overlay.opaque=y) once the tar is out, found with one `find`.
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execTool, newId, InvalidArgumentError } from '../lib/index.ts';
import type { GraphDriver } from './graph-driver.ts';
import { dirContentSize } from './dir-size.ts';
import { TarSplitRecorder, TarSplitWriter } from './tar-split.ts';
import { TarFeed, type TarResult } from './tar-worker.ts';

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
 * diffID). Per chunk, on this thread: the header parser (tar-split.ts: records the layer's
 * tar-split and refuses an entry that would land outside `target` before tar sees its
 * header), then a copy into the batch for the worker (tar-worker.ts), which writes it into
 * tar's stdin and hashes it. On any error tar is killed; the caller removes `target`.
 */
export async function extractLayerTar(target: string, source: Readable, split: TarSplitWriter | null, signal?: AbortSignal): Promise<string> {
  const feed = new TarFeed(['-x', '--numeric-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '-C', target, '-f', '-']);
  const onAbort = (): void => { void feed.kill(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  const guard = new TarSplitRecorder(() => undefined);
  const rec = split ?? { push: (c: Buffer) => guard.push(c), finish: async () => guard.finish() };
  let res: TarResult;
  try {
    await pipeline(source, new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _e, cb) {
        try { rec.push(chunk); } catch (err) { cb(err as Error); return; }
        feed.write(chunk).then(() => cb(), cb);
      },
      final(cb) { rec.finish().then(() => cb(), cb); },
    }));
    if (signal?.aborted) throw new Error('layer apply aborted');
    res = await feed.end();
  } catch (err) {
    await feed.kill();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (res.code !== 0) throw new InvalidArgumentError(`invalid layer tar: ${res.stderr.trim() || (res.signal ? `tar killed by ${res.signal}` : `tar exit ${res.code}`)}`);
  return res.diffId;
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
