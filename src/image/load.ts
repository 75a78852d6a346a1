// docker load (POST /images/load): an image archive streamed from the request, Docker
// archive (manifest.json) or OCI layout (index.json), plain, gzip or zstd, with plain,
// gzip or zstd layer blobs. Entries arrive in any order, so every layer-looking blob is
// extracted as it streams into its own staging directory of the layer store (its sha256
// and diffID computed on the way, nothing held in memory), small files (manifests,
// configs, index) are kept in memory; once the archive has ended the plan is read from
// them, every digest and diffID checked, and only then are layers registered in chain
// order and images written. Anything wrong: every staged layer is dropped, nothing written.
//
// Crash safety: staged directories carry the layer store's `staged` mark (swept at start);
// between the first registered layer and the last tag, a journal under
// <data-root>/image/loading/ names the layers and images this load created, and recover()
// at start undoes a load that did not finish.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { ensureDir, goArch, InvalidArgumentError, kindOf, readJsonFile, writeJsonAtomic, type Logger } from '../lib/index.ts';
import type { ImageConfig, Platform } from '../oci/index.ts';
import { chainIdsOf, type LayerStore, type StagedLayer } from '../layer/index.ts';
import { progressBar, type ProgressSink } from '../distribution/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageStore } from './image-store.ts';
import { cleanArchivePath, planArchive } from './archive-manifest.ts';

export interface LoadDeps {
  store: ImageStore;
  layers: LayerStore;
  events: EventBus;
  log: Logger;
  /** <data-root>/image/loading */
  journalDir: string;
  /** Chains registered by loads in flight (kept by layer gc until their image exists). */
  inFlight: Set<string>;
}

interface Journal { chains: string[]; images: string[] }

/** Small files are kept in memory; bigger ones that are no tar are skipped. */
const SMALL_LIMIT = 32 << 20;
/** All small files together (manifests and configs are kilobytes; this bounds a hostile archive). */
const SMALL_TOTAL = 256 << 20;

type Compression = 'gzip' | 'zstd' | null;

function compressionOf(b: Buffer): Compression {
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) return 'gzip';
  if (b.length >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return null;
}

function looksLikeTar(b: Buffer): boolean {
  return b.length >= 512 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

function hostPlatform(): Platform {
  return { os: 'linux', architecture: goArch(), ...(goArch() === 'arm64' ? { variant: 'v8' } : {}) };
}

/** A decompressing stream (gzip in-process, zstd through the zstd tool). */
function decompress(src: Readable, c: Compression, what: string): Readable {
  if (c === null) return src;
  if (c === 'gzip') {
    const gz = createGunzip({ chunkSize: 1 << 20 });
    src.on('error', (e) => gz.destroy(e));
    gz.on('error', () => undefined);
    const out = src.pipe(gz);
    return out;
  }
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  src.on('error', (e) => { out.destroy(e); child.kill('SIGKILL'); });
  child.stdin.on('error', () => undefined);
  src.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new InvalidArgumentError(`invalid archive: ${what}: zstd: ${stderr.trim() || `exit ${code}`}`));
  });
  out.on('close', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  return out;
}

/** Reads at least `n` bytes (or all) from an async iterator; returns them and the iterator. */
async function peek(it: AsyncIterator<Buffer>, n: number): Promise<{ head: Buffer; done: boolean }> {
  const parts: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const r = await it.next();
    if (r.done) return { head: Buffer.concat(parts), done: true };
    parts.push(r.value); len += r.value.length;
  }
  return { head: Buffer.concat(parts), done: false };
}

function rest(head: Buffer, it: AsyncIterator<Buffer>, done: boolean, onChunk: (b: Buffer) => void, onEnd?: () => void): Readable {
  return Readable.from(restChunks(head, it, done, onChunk, onEnd), { objectMode: false, highWaterMark: 1 << 20 });
}

/** rest() as an async iterable (fewer hops per chunk where no stream is needed). */
function restChunks(head: Buffer, it: AsyncIterator<Buffer>, done: boolean, onChunk: (b: Buffer) => void, onEnd?: () => void): AsyncIterable<Buffer> {
  // onEnd: every byte was read (not called when the consumer stopped early).
  return (async function* gen(): AsyncGenerator<Buffer> {
    if (head.length) { onChunk(head); yield head; }
    if (!done) {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        onChunk(r.value);
        yield r.value;
      }
    }
    onEnd?.();
  })();
}

/** Layers extracted at once: the tail of one layer's extraction overlaps the next one's bytes. */
const STAGE_OVERLAP = 3;

interface StagedBlob { staged: StagedLayer; digest: string; size: number }

export async function loadImages(deps: LoadDeps, input: Readable, quiet: boolean, progress: ProgressSink, signal?: AbortSignal): Promise<string[]> {
  const staged = new Map<string, StagedBlob>();
  const files = new Map<string, Buffer>();
  const aliases = new Map<string, string>();
  let kept = 0;
  const t0 = Date.now();
  const pending: Promise<void>[] = [];
  const settled = new Set<Promise<void>>();
  const ex = tarExtract();
  try {
    // The archive itself may be compressed.
    const inIt = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await peek(inIt, 4).catch((err: unknown) => { throw new InvalidArgumentError(`invalid archive: ${(err as Error).message}`, { cause: err }); });
    if (first.head.length === 0) throw new InvalidArgumentError('invalid archive: the archive is empty');
    const archive = decompress(rest(first.head, inIt, first.done, () => undefined), compressionOf(first.head), 'archive');
    archive.on('error', (e) => ex.destroy(e));
    archive.pipe(ex as unknown as NodeJS.WritableStream);
    const onAbort = (): void => { ex.destroy(new Error('load canceled')); };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const entry of ex) {
        const h = entry.header;
        const name = cleanArchivePath(h.name);
        const it = (entry as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        const drain = async (): Promise<void> => { for (;;) { if ((await it.next()).done) return; } };
        if (h.type === 'symlink' || h.type === 'link') {
          const target = h.type === 'symlink' ? posix.join(posix.dirname(name), h.linkname ?? '') : (h.linkname ?? '');
          if ((h.linkname ?? '').startsWith('/')) throw new InvalidArgumentError(`invalid archive: ${name} links to an absolute path`);
          aliases.set(name, cleanArchivePath(target));
          await drain();
          continue;
        }
        if (h.type !== 'file' && h.type !== 'contiguous-file') { await drain(); continue; }
        const size = h.size ?? 0;
        const { head, done } = await peek(it, 512);
        const c = compressionOf(head);
        if (c !== null || looksLikeTar(head)) {
          // The entry's bytes must be read before the next entry; its extraction may finish later.
          const ts = Date.now();
          const s = stageBlob(deps, name, size, head, it, done, c, quiet ? null : progress);
          const job = s.result.then((b) => {
            staged.set(name, b);
            deps.log.debug({ name, size, ms: Date.now() - ts, at: Date.now() - t0 }, 'load: layer staged');
          });
          job.catch(() => undefined);
          pending.push(job);
          await Promise.race([s.consumed, s.result]);
          const running = pending.filter((p) => !settled.has(p));
          for (const p of running) void p.then(() => settled.add(p), () => settled.add(p));
          if (running.length > STAGE_OVERLAP) await running[0];
        } else if (size <= SMALL_LIMIT) {
          const parts = [head];
          if (!done) for (;;) { const r = await it.next(); if (r.done) break; parts.push(r.value); }
          const buf = Buffer.concat(parts);
          kept += buf.length;
          if (kept > SMALL_TOTAL) throw new InvalidArgumentError('invalid archive: too many or too large non-layer files');
          files.set(name, buf);
        } else {
          await drain();
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const results = await Promise.allSettled(pending);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    deps.log.debug({ ms: Date.now() - t0, layers: staged.size }, 'load: archive read, layers staged');
    const lines = await commit(deps, staged, files, aliases, progress);
    deps.log.debug({ ms: Date.now() - t0 }, 'load: done');
    return lines;
  } catch (err) {
    ex.destroy();
    // Extractions still running finish (and fail or stage) before their layers are dropped.
    await Promise.allSettled(pending);
    if (kindOf(err) === 'internal' && err instanceof Error && /Unexpected end of data|Invalid tar header|incorrect header check|unexpected end of file/i.test(err.message)) {
      throw new InvalidArgumentError(`invalid archive: ${/header check|Invalid tar/i.test(err.message) ? 'not a tar archive or a corrupt one' : 'unexpected EOF (the archive is truncated)'}`, { cause: err });
    }
    throw err;
  } finally {
    for (const s of staged.values()) await deps.layers.discardStaged(s.staged).catch(() => undefined);
  }
}

/** Stages one layer blob; `consumed` resolves once its bytes were all read from the archive. */
function stageBlob(deps: LoadDeps, name: string, size: number, head: Buffer, it: AsyncIterator<Buffer>, done: boolean, c: Compression,
  progress: ProgressSink | null): { consumed: Promise<void>; result: Promise<StagedBlob> } {
  let consumedResolve!: () => void;
  const consumed = new Promise<void>((r) => { consumedResolve = r; });
  const result = stageBlobAsync(deps, name, size, head, it, done, c, progress, consumedResolve);
  return { consumed, result };
}

async function stageBlobAsync(deps: LoadDeps, name: string, size: number, head: Buffer, it: AsyncIterator<Buffer>, done: boolean, c: Compression,
  progress: ProgressSink | null, onConsumed: () => void): Promise<StagedBlob> {
  // An uncompressed blob's digest is its diffID and a gzip one's is computed by the worker
  // that decompresses and applies it (layer store): only zstd is hashed here.
  const hash = c === 'zstd' ? createHash('sha256') : null;
  let got = 0;
  let last = 0;
  const id = name.replace(/^blobs\/sha256\//, '').replace(/\/layer\.tar$/, '').slice(0, 12);
  const onChunk = (b: Buffer): void => {
    hash?.update(b);
    got += b.length;
    const now = Date.now();
    if (progress && (now - last > 100 || got === size)) { last = now; progress({ status: 'Loading layer', id, progressDetail: { current: got, total: size }, progress: progressBar(got, size) }); }
  };
  // zstd goes through the zstd tool (a stream); plain and gzip bytes straight to the layer store.
  const body = c === 'zstd' ? decompress(rest(head, it, done, onChunk, onConsumed), c, name) : restChunks(head, it, done, onChunk, onConsumed);
  const s = await deps.layers.stage(body, { compression: c === 'gzip' ? 'gzip' : null, hashInput: c === 'gzip' }).catch((err: unknown) => {
    throw new InvalidArgumentError(`invalid archive: layer ${name}: ${(err as Error).message.replace(/^invalid layer tar: /, '')}`, { cause: err });
  });
  if (got !== size) {
    await deps.layers.discardStaged(s);
    throw new InvalidArgumentError(`invalid archive: unexpected EOF in ${name}`);
  }
  return { staged: s, digest: hash ? `sha256:${hash.digest('hex')}` : (s.blobDigest ?? s.diffId), size };
}

async function commit(deps: LoadDeps, staged: Map<string, StagedBlob>, files: Map<string, Buffer>, aliases: Map<string, string>,
  progress: ProgressSink): Promise<string[]> {
  const real = (p: string): string => {
    let cur = p;
    for (let i = 0; i < 16 && aliases.has(cur); i++) cur = aliases.get(cur)!;
    return cur;
  };
  const view = new Map(files);
  for (const a of aliases.keys()) { const f = files.get(real(a)); if (f) view.set(a, f); }
  const plan = planArchive(view, hostPlatform());
  const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  // Check everything before writing anything.
  const images: { config: Buffer; diffIds: string[]; layerPaths: string[]; tags: string[] }[] = [];
  for (const img of plan) {
    const config = view.get(img.config);
    if (!config) throw new InvalidArgumentError(`invalid archive: config ${img.config} is missing from the archive`);
    const want = img.digests.get(img.config);
    if (want && sha(config) !== want) throw new InvalidArgumentError(`invalid archive: digest mismatch for ${img.config}: expected ${want}, got ${sha(config)}`);
    let parsed: ImageConfig;
    try { parsed = JSON.parse(config.toString('utf8')) as ImageConfig; } catch { throw new InvalidArgumentError(`invalid archive: config ${img.config} is not valid JSON`); }
    const diffIds = parsed.rootfs?.diff_ids;
    if (!Array.isArray(diffIds)) throw new InvalidArgumentError(`invalid archive: config ${img.config} has no rootfs.diff_ids`);
    if (diffIds.length !== img.layers.length) throw new InvalidArgumentError(`invalid archive: ${img.config} names ${diffIds.length} layers, the manifest ${img.layers.length}`);
    const chain = chainIdsOf(diffIds);
    const layerPaths: string[] = [];
    for (let i = 0; i < img.layers.length; i++) {
      const p = real(img.layers[i]!);
      layerPaths.push(p);
      let s = staged.get(p);
      if (!s && files.has(p) && !deps.layers.get(chain[i]!)) {
        // A tiny layer (an empty tar has no ustar magic) was kept as a file: stage it now.
        const buf = files.get(p)!;
        const c = compressionOf(buf);
        const it = (async function* () { /* nothing more */ })();
        s = await stageBlob(deps, p, buf.length, buf, it as AsyncIterator<Buffer>, true, c, null).result;
        staged.set(p, s);
      }
      if (!s) {
        if (deps.layers.get(chain[i]!) && files.has(p)) continue;
        throw new InvalidArgumentError(`invalid archive: layer ${img.layers[i]} is missing from the archive`);
      }
      const wantBlob = img.digests.get(img.layers[i]!) ?? img.digests.get(p);
      if (wantBlob && wantBlob !== s.digest) throw new InvalidArgumentError(`invalid archive: digest mismatch for layer ${p}: expected ${wantBlob}, got ${s.digest}`);
      if (s.staged.diffId !== diffIds[i]) throw new InvalidArgumentError(`invalid archive: layer ${p} has diffID ${s.staged.diffId}, the image config says ${diffIds[i]}`);
    }
    images.push({ config, diffIds, layerPaths, tags: img.tags });
  }
  // Write: journal, layers in chain order, images, tags; then drop the journal.
  const journal: Journal = { chains: [], images: [] };
  for (const img of images) {
    for (const c of chainIdsOf(img.diffIds)) if (!deps.layers.get(c) && !journal.chains.includes(c)) journal.chains.push(c);
    const id = sha(img.config);
    if (!deps.store.get(id) && !journal.images.includes(id)) journal.images.push(id);
  }
  await ensureDir(deps.journalDir);
  const journalPath = join(deps.journalDir, `${randomBytes(8).toString('hex')}.json`);
  await writeJsonAtomic(journalPath, journal);
  for (const c of journal.chains) deps.inFlight.add(c);
  const lines: string[] = [];
  try {
    const used = new Map<string, string>();
    for (const img of images) {
      const chain = chainIdsOf(img.diffIds);
      let parent: string | null = null;
      for (let i = 0; i < chain.length; i++) {
        if (!deps.layers.get(chain[i]!)) {
          const p = img.layerPaths[i]!;
          const s = staged.get(p);
          const first = used.get(p);
          if (s) {
            await deps.layers.commitStaged(parent, s.staged);
            staged.delete(p);
            used.set(p, chain[i]!);
          } else if (first !== undefined) {
            // The same blob on another parent (its staged dir went to the first): a second
            // copy of its exact tar, applied as a layer of its own.
            const copy = await deps.layers.restage(first);
            await deps.layers.commitStaged(parent, copy).catch(async (err: unknown) => { await deps.layers.discardStaged(copy).catch(() => undefined); throw err; });
          } else {
            throw new InvalidArgumentError(`invalid archive: layer ${p} is missing from the archive`);
          }
        }
        parent = chain[i]!;
      }
      const rec = await deps.store.putBytes(img.config);
      if (img.tags.length === 0) lines.push(`Loaded image ID: ${rec.id}`);
      for (const t of img.tags) {
        let old: string | null = null;
        try { old = deps.store.resolve(t).id; } catch { /* new tag */ }
        if (old !== null && old !== rec.id) {
          progress({ stream: `The image ${t} already exists, renaming the old one with ID ${old} to empty string\n` } as never);
        }
        await deps.store.tag(rec.id, t);
        lines.push(`Loaded image: ${t}`);
      }
      deps.events.publish('image', 'load', rec.id, img.tags[0] ? { name: img.tags[0] } : {});
    }
    await rm(journalPath, { force: true });
  } catch (err) {
    // A write failed half-way (a full disk): undo now, as a restart would.
    await undoJournal(deps, journal).then(() => rm(journalPath, { force: true })).catch((e: unknown) => deps.log.warn({ err: e }, 'could not undo a failed load; the next start will'));
    throw err;
  } finally {
    for (const c of journal.chains) deps.inFlight.delete(c);
  }
  for (const l of lines) progress({ stream: `${l}\n` } as never);
  return lines;
}

/**
 * At start: undoes loads a crash interrupted (their journals): their images (untagged,
 * deleted) and their layers unless an image uses them. Returns how many were undone.
 */
export async function recoverLoads(deps: LoadDeps): Promise<number> {
  let names: string[];
  try { names = await readdir(deps.journalDir); } catch { return 0; }
  const all: Journal = { chains: [], images: [] };
  let n = 0;
  for (const f of names) {
    if (!f.endsWith('.json') || f.startsWith('.')) continue;
    const j = await readJsonFile<Journal>(join(deps.journalDir, f)).catch(() => undefined);
    all.images.push(...(j?.images ?? []));
    all.chains.push(...(j?.chains ?? []));
    n++;
  }
  const removed = await undoJournal(deps, all);
  if (n > 0) deps.log.info({ loads: n, layers: removed }, 'undid interrupted image loads');
  for (const f of names) await rm(join(deps.journalDir, f), { force: true });
  return n;
}

/** Removes the images a load created and its layers that no image uses. */
async function undoJournal(deps: LoadDeps, j: Journal): Promise<number> {
  for (const id of j.images) {
    if (!deps.store.get(id)) continue;
    for (const t of deps.store.tagsOf(id)) await deps.store.untag(t);
    await deps.store.delete(id);
  }
  if (j.chains.length === 0) return 0;
  const drop = new Set(j.chains);
  // Everything else stays, other loads' layers in flight included (gc keeps their parents too).
  const keep = [...deps.layers.chainIds(), ...deps.inFlight].filter((c) => !drop.has(c));
  for (const r of deps.store.all()) if (r.topChainId) keep.push(r.topChainId);
  return deps.layers.gc(keep);
}
