// Pull (POST /images/create?fromImage=…): manifest (an index picks the platform), config,
// then every missing layer at once: each streams from the registry into the layer store's
// staging, in its own directory, in one pass on a shared worker thread (tar-worker.ts:
// sha256 of the blob = its digest, gunzip, header checks, tar-split record, sha256 of the
// tar = its diffID, `tar -x`); zstd goes through the zstd tool first, hashed on the way. No copy of the compressed
// blob is kept: the content store records which blob the layer had in which repository
// (Docker's v2 metadata), so a push there skips or mounts it, and a push elsewhere
// recompresses the layer's exact tar. Layers are registered in chain order once all are
// verified; the image record (id = sha256 of the config bytes, as Docker's) comes last, so a
// failed pull leaves nothing half-written in the image store.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError, UnauthorizedError, goArch, kindOf, type Logger } from '../lib/index.ts';
import {
  layerCompression, parseManifest, parsePlatform, platformString, selectPlatform, normalizeReference,
  type Descriptor, type ImageConfig, type ImageManifest, type Platform,
} from '../oci/index.ts';
import { chainIdsOf, type LayerStore, type StagedLayer } from '../layer/index.ts';
import type { ContentStore } from '../storage/content/index.ts';
import {
  RegistryClient, RegistryResponseError, parseRemoteReference, throttled,
  type AuthConfig, type ProgressSink, type RegistryConfig, type RemoteReference,
} from '../distribution/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageStore, ImageRecord } from './image-store.ts';

export interface DistributionDeps {
  store: ImageStore;
  layers: LayerStore;
  content: ContentStore;
  registries: RegistryConfig;
  events: EventBus;
  log: Logger;
}

export interface PullOptions {
  platform?: string;
  auth?: AuthConfig;
  signal?: AbortSignal;
  /** Layers downloaded at once (dockerd's max-concurrent-downloads is 3; berth takes 8: extraction is the bottleneck, not the link). */
  concurrency?: number;
}

const shortHex = (digest: string): string => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);

function hostPlatform(): Platform {
  return { os: 'linux', architecture: goArch(), ...(goArch() === 'arm64' ? { variant: 'v8' } : {}) };
}

/** Docker's wording for registry errors during a pull (moby distribution/errors.go). */
export function translatePullError(err: unknown, familiar: string): unknown {
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !(cur instanceof RegistryResponseError)) cur = (cur as { cause?: unknown }).cause;
  if (!(cur instanceof RegistryResponseError)) return err;
  switch (cur.code) {
    case 'MANIFEST_UNKNOWN': return new NotFoundError(`manifest for ${familiar} not found: ${cur.message}`, { cause: err });
    case 'NAME_UNKNOWN': return new NotFoundError(`repository ${familiar.replace(/[:@].*$/, '')} not found: ${cur.message}`, { cause: err });
    case 'DENIED': case 'UNAUTHORIZED':
      return new UnauthorizedError(`pull access denied for ${familiar.replace(/[:@][^/]*$/, '')}, repository does not exist or may require 'docker login': ${cur.message}`, { cause: err });
    default: return err;
  }
}

function verifyDigest(bytes: Buffer, digest: string, what: string): void {
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (digest.startsWith('sha256:') && actual !== digest) {
    throw new InvalidArgumentError(`${what} digest mismatch: expected ${digest}, got ${actual}`);
  }
}

export function clientFor(deps: DistributionDeps, r: RemoteReference, auth: AuthConfig | undefined, actions: string, insecure?: boolean): RegistryClient {
  return new RegistryClient({ host: r.host, path: r.path, auth, insecure: insecure ?? deps.registries.isInsecure(r.host), actions, log: deps.log, certsDir: deps.registries.opts.certsDir });
}

export async function pullImage(deps: DistributionDeps, input: string, opts: PullOptions, progress: ProgressSink): Promise<ImageRecord> {
  let r: RemoteReference;
  try { r = parseRemoteReference(input); } catch (err) { throw new InvalidArgumentError(`invalid reference format: ${input}`, { cause: err }); }
  const tag = r.digest === null ? (r.tag ?? 'latest') : null;
  const familiar = r.digest !== null ? `${r.familiar}@${r.digest}` : `${r.familiar}:${tag}`;
  // Docker Hub images try the mirrors first (daemon.json registry-mirrors), anonymously, then Hub.
  if (r.domain === 'docker.io') {
    for (const m of deps.registries.opts.mirrors ?? []) {
      const host = m.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      try {
        const mirror = clientFor(deps, { ...r, host }, undefined, 'pull', m.startsWith('http://') || deps.registries.isInsecure(host));
        return await pullWith(deps, mirror, r, tag, familiar, opts, progress);
      } catch (err) {
        deps.log.info({ err, mirror: m }, 'mirror failed, trying the next source');
      }
    }
  }
  const client = clientFor(deps, r, opts.auth, 'pull');
  try {
    return await pullWith(deps, client, r, tag, familiar, opts, progress);
  } catch (err) {
    throw translatePullError(err, familiar);
  }
}

async function pullWith(deps: DistributionDeps, client: RegistryClient, r: RemoteReference, tag: string | null, familiar: string, opts: PullOptions, progress: ProgressSink): Promise<ImageRecord> {
  const top = await client.getManifest(tag ?? r.digest!);
  if (r.digest) verifyDigest(top.bytes, r.digest, 'manifest');
  const topDigest = r.digest ?? `sha256:${createHash('sha256').update(top.bytes).digest('hex')}`;
  progress({ status: `Pulling from ${r.domain === 'docker.io' ? r.path : r.path}`, id: tag ?? r.digest! });
  let parsed = parseOrInvalid(top.bytes, top.mediaType);
  if (parsed.kind === 'index') {
    const want = parsePlatform(opts.platform ?? '', hostPlatform());
    const d = selectPlatform(parsed.index, want);
    if (!d) throw new NotFoundError(`no matching manifest for ${platformString(want)} in the manifest list entries`);
    const child = await client.getManifest(d.digest);
    verifyDigest(child.bytes, d.digest, 'manifest');
    parsed = parseOrInvalid(child.bytes, child.mediaType || d.mediaType);
    if (parsed.kind !== 'manifest') throw new InvalidArgumentError('nested image indexes are not supported');
  }
  const manifest: ImageManifest = parsed.manifest;
  const configBytes = await client.getBlobBytes(manifest.config.digest);
  verifyDigest(configBytes, manifest.config.digest, 'config');
  let config: ImageConfig;
  try { config = JSON.parse(configBytes.toString('utf8')) as ImageConfig; } catch { throw new InvalidArgumentError('image config is not valid JSON'); }
  const diffIds = config.rootfs?.diff_ids ?? [];
  const layers = manifest.layers;
  if (layers.length !== diffIds.length) {
    throw new InvalidArgumentError(`manifest has ${layers.length} layers but the image config names ${diffIds.length}`);
  }
  for (const l of layers) {
    if (layerCompression(l.mediaType) === null) throw new InvalidArgumentError(`unsupported layer media type ${l.mediaType}`);
  }
  const imageId = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  const existed = deps.store.get(imageId) !== undefined;
  const chain = chainIdsOf(diffIds);
  const source = `${r.host}/${r.path}`;

  // Download, verify and extract every missing layer, all at once (up to `concurrency`).
  const staged = new Map<number, StagedLayer>();
  const missing: number[] = [];
  layers.forEach((l, i) => {
    if (deps.layers.get(chain[i]!)) progress({ status: 'Already exists', id: shortHex(l.digest) });
    else missing.push(i);
  });
  // One blob can appear twice in a manifest: it is fetched once per position (rare).
  for (const i of missing) progress({ status: 'Pulling fs layer', id: shortHex(layers[i]!.digest) });
  const tick = throttled(progress);
  const limit = Math.max(1, opts.concurrency ?? 8);
  let next = 0;
  let failed: unknown = null;
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const worker = async (): Promise<void> => {
    while (next < missing.length && failed === null) {
      const i = missing[next++]!;
      try {
        staged.set(i, await fetchLayer(deps, client, layers[i]!, diffIds[i]!, source, abort.signal, tick, progress));
      } catch (err) {
        if (failed === null) failed = err;
        abort.abort();
      }
    }
  };
  for (const i of missing.slice(limit)) progress({ status: 'Waiting', id: shortHex(layers[i]!.digest) });
  try {
    await Promise.all(Array.from({ length: Math.min(limit, missing.length) }, worker));
    if (failed !== null) throw failed;
    // Register in chain order: a layer's parents must exist first.
    let parent: string | null = null;
    for (let i = 0; i < layers.length; i++) {
      const s = staged.get(i);
      if (s) {
        const rec = await deps.layers.commitStaged(parent, s);
        staged.delete(i);
        progress({ status: 'Pull complete', id: shortHex(layers[i]!.digest) });
        parent = rec.chainId;
      } else {
        if (!deps.layers.get(chain[i]!)) throw new InvalidArgumentError(`layer ${chain[i]} disappeared during the pull`);
        parent = chain[i]!;
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    for (const s of staged.values()) await deps.layers.discardStaged(s).catch(() => undefined);
  }
  const rec = await deps.store.putBytes(configBytes);
  const repo = normalizeReference(r.familiar).replace(/:latest$/, '');
  if (tag) await deps.store.tag(rec.id, `${r.familiar}:${tag}`);
  await deps.store.addDigestRef(rec.id, repo, topDigest);
  progress({ status: `Digest: ${topDigest}` });
  progress({ status: existed ? `Status: Image is up to date for ${familiar}` : `Status: Downloaded newer image for ${familiar}` });
  deps.events.publish('image', 'pull', rec.id, { name: familiar });
  return rec;
}

function parseOrInvalid(bytes: Buffer, mediaType: string): ReturnType<typeof parseManifest> {
  try {
    return parseManifest(bytes, mediaType);
  } catch (err) {
    throw new InvalidArgumentError(`invalid manifest: ${(err as Error).message}`, { cause: err });
  }
}

/** One layer: registry → sha256 → decompress → staged extraction (diffID). */
async function fetchLayer(deps: DistributionDeps, client: RegistryClient, desc: Descriptor, diffId: string, source: string,
  signal: AbortSignal, tick: (id: string, status: string, cur: number, total: number) => void, progress: ProgressSink): Promise<StagedLayer> {
  if (layerCompression(desc.mediaType) !== 'zstd') return fetchLayerDirect(deps, client, desc, diffId, source, signal, tick, progress);
  // zstd: decompressed by the zstd tool, the blob hashed here on its way there.
  const id = shortHex(desc.digest);
  const body = client.blobStream(desc.digest, desc.size);
  const hash = createHash('sha256');
  let got = 0;
  const meter = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _e, cb) {
      got += chunk.length;
      tick(id, 'Downloading', got, desc.size);
      cb(null, chunk);
      hash.update(chunk);
    },
    flush(cb) {
      progress({ status: 'Verifying Checksum', id, progressDetail: {} });
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== desc.digest) { cb(new InvalidArgumentError(`filesystem layer verification failed for digest ${desc.digest}: got ${actual}`)); return; }
      progress({ status: 'Download complete', id, progressDetail: {} });
      cb();
    },
  });
  const onAbort = (): void => { body.destroy(new Error('pull aborted')); };
  signal.addEventListener('abort', onAbort, { once: true });
  body.on('error', (e) => meter.destroy(e));
  body.pipe(meter);
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const tarStream = new PassThrough({ highWaterMark: 1 << 20 });
  meter.on('error', (e) => { tarStream.destroy(e); child.kill('SIGKILL'); });
  child.stdin!.on('error', () => undefined);
  meter.pipe(child.stdin!);
  child.stdout!.pipe(tarStream);
  child.on('close', (code) => { if (code !== 0) tarStream.destroy(new InvalidArgumentError(`zstd: decompression of ${desc.digest} failed`)); });
  try {
    const staged = await deps.layers.stage(tarStream, { signal });
    return await acceptStaged(deps, staged, { desc, diffId, got, blobDigest: null, source, progress });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The checks and records after a pulled layer is staged, whatever its compression: every byte
 * arrived, the blob's digest (when the apply computed it) and the diffID are the expected
 * ones; a layer that fails is discarded.
 */
async function acceptStaged(deps: DistributionDeps, staged: StagedLayer,
  o: { desc: Descriptor; diffId: string; got: number; blobDigest: string | null; source: string; progress: ProgressSink }): Promise<StagedLayer> {
  const { desc, diffId } = o;
  const refuse = async (message: string): Promise<never> => {
    await deps.layers.discardStaged(staged);
    throw new InvalidArgumentError(message);
  };
  if (o.got !== desc.size) await refuse(`unexpected EOF: layer ${desc.digest} has ${o.got} of ${desc.size} bytes`);
  if (o.blobDigest !== null && o.blobDigest !== desc.digest) await refuse(`filesystem layer verification failed for digest ${desc.digest}: got ${o.blobDigest}`);
  if (staged.diffId !== diffId) await refuse(`layer ${desc.digest}: diffID mismatch: the config says ${diffId}, the layer is ${staged.diffId}`);
  o.progress({ status: 'Extracting', id: shortHex(desc.digest), progressDetail: { current: desc.size, total: desc.size }, progress: '' });
  await deps.content.addLayerBlob(diffId, { digest: desc.digest, mediaType: desc.mediaType, size: desc.size, sources: [o.source] });
  return staged;
}

/**
 * A gzip or plain layer: the registry's chunks go straight to the layer store's apply (its
 * worker decompresses, hashes and extracts them), counted here for the progress bars.
 */
async function fetchLayerDirect(deps: DistributionDeps, client: RegistryClient, desc: Descriptor, diffId: string, source: string,
  signal: AbortSignal, tick: (id: string, status: string, cur: number, total: number) => void, progress: ProgressSink): Promise<StagedLayer> {
  const id = shortHex(desc.digest);
  const gzip = layerCompression(desc.mediaType) === 'gzip';
  let got = 0;
  const chunks = client.blobChunks(desc.digest, desc.size);
  async function* metered(): AsyncGenerator<Buffer> {
    for await (const c of chunks) {
      if (signal.aborted) throw new Error('pull aborted');
      got += c.length;
      tick(id, 'Downloading', got, desc.size);
      yield c;
    }
    progress({ status: 'Verifying Checksum', id, progressDetail: {} });
    progress({ status: 'Download complete', id, progressDetail: {} });
  }
  try {
    // noCrc: acceptStaged checks the blob digest and the diffID, which cover every byte.
    const staged = await deps.layers.stage(metered(), { signal, compression: gzip ? 'gzip' : null, hashInput: gzip, noCrc: gzip });
    return await acceptStaged(deps, staged, { desc, diffId, got, blobDigest: (gzip ? staged.blobDigest : staged.diffId) ?? '', source, progress });
  } catch (err) {
    if (kindOf(err) === 'internal' && (err as Error).message?.includes('incorrect header check')) {
      throw new InvalidArgumentError(`layer ${desc.digest} is not gzip data`, { cause: err });
    }
    throw err;
  }
}
