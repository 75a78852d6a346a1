// Push (POST /images/{name}/push): every layer's blob, skipped when the registry has it
// (HEAD), mounted from another repository of the same registry when one is known to hold it,
// otherwise uploaded; then the config, then a manifest (Docker v2 schema2, or OCI when a
// layer is zstd). The blob: a compressed one kept in the content store (an earlier push or
// an import), sent in one PUT; else one a pull saw in this registry (a pull keeps no copy,
// only the digest and where it was: like Docker's v2 metadata, it is skipped or mounted,
// never sent); else the layer's exact tar gzipped now and streamed to the registry as it is
// compressed, kept too, so a second push sends the same blob (push-stream.ts).
// Docker's progress messages throughout.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../lib/index.ts';
import { MediaType, layerCompression, normalizeReference, type Descriptor } from '../oci/index.ts';
import type { LayerBlob } from '../storage/content/index.ts';
import { parseRemoteReference, type AuthConfig, type ProgressSink, type RegistryClient } from '../distribution/index.ts';
import { clientFor, type DistributionDeps } from './pull.ts';
import { chainIdsOf, type LayerTar } from '../layer/index.ts';
import { layerTarFor } from './layer-tar.ts';
import { streamLayer } from './push-stream.ts';
import { withRetries } from './push-retry.ts';
import { pushMeter } from './push-meter.ts';

export interface PushOptions { auth?: AuthConfig; concurrency?: number }

const short = (d: string): string => d.slice(7, 19);

/** A compressed blob kept for the layer (an earlier push or an import), gzip first. */
async function keptBlobFor(deps: DistributionDeps, diffId: string): Promise<LayerBlob | null> {
  const blobs = await deps.content.layerBlobs(diffId);
  return blobs.find((b) => layerCompression(b.mediaType) === 'gzip') ?? blobs.find((b) => layerCompression(b.mediaType) === 'zstd') ?? null;
}

async function tarOf(deps: DistributionDeps, diffId: string, chainId: string): Promise<LayerTar> {
  try {
    return await layerTarFor(deps, chainId, diffId);
  } catch (err) {
    throw new NotFoundError(`layer ${diffId} cannot be pushed: ${(err as Error).message}`, { cause: err });
  }
}

export async function pushImage(deps: DistributionDeps, name: string, tagArg: string | undefined, opts: PushOptions, progress: ProgressSink): Promise<void> {
  let full = name;
  if (tagArg) full = `${name}:${tagArg}`;
  let r;
  try { r = parseRemoteReference(full); } catch (err) { throw new InvalidArgumentError(`invalid reference format: ${full}`, { cause: err }); }
  if (r.digest) throw new InvalidArgumentError('cannot push a digest reference');
  const tag = r.tag ?? 'latest';
  const local = `${r.familiar}:${tag}`;
  const rec = (() => {
    try { return deps.store.resolve(local); } catch { throw new NotFoundError(`An image does not exist locally with the tag: ${r.familiar}`); }
  })();
  const client = clientFor(deps, r, opts.auth, 'pull,push');
  progress({ status: `The push refers to repository [${r.domain === 'docker.io' ? `docker.io/${r.path}` : `${r.domain}/${r.path}`}]` });
  const diffIds = rec.config.rootfs.diff_ids;
  // Prepare blobs first (may gzip an imported tar once); progress ids are short diffIDs, as Docker's.
  const uniq = [...new Set(diffIds)].reverse();
  for (const d of uniq) progress({ status: 'Preparing', id: short(d), progressDetail: {} });
  // Layers beyond the concurrent uploads wait for a free slot, as Docker draws it.
  const limit = Math.max(1, opts.concurrency ?? 5);
  for (const d of uniq.slice(limit)) progress({ status: 'Waiting', id: short(d), progressDetail: {} });
  const blobs = new Map<string, LayerBlob>();
  const chain = chainIdsOf(diffIds);
  const chainOf = new Map(diffIds.map((d, i) => [d, chain[i]!]));
  // Authenticate before streaming (an upload body cannot be replayed after a 401).
  await client.blobExists(rec.id).catch((err: unknown) => {
    if ((err as { kind?: string }).kind === 'unauthorized' || (err as { kind?: string }).kind === 'unavailable') throw err;
  });
  const target = `${r.host}/${r.path}`;
  let next = 0;
  let failed: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < uniq.length && failed === null) {
      const d = uniq[next++]!;
      try { blobs.set(d, await withRetries(() => pushLayer(deps, client, d, chainOf.get(d)!, target, r.host, progress), short(d), progress)); } catch (err) { if (failed === null) failed = err; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, uniq.length) }, worker));
  if (failed !== null) throw failed;

  const configBytes = await deps.store.configBytes(rec.id);
  const configDigest = rec.id;
  if ((await client.blobExists(configDigest)) === null) {
    await client.uploadBlob(configDigest, configBytes.length, () => bufferStream(configBytes));
  }
  const layerDescs: Descriptor[] = diffIds.map((d) => { const b = blobs.get(d)!; return { mediaType: b.mediaType, size: b.size, digest: b.digest }; });
  const oci = layerDescs.some((l) => l.mediaType.startsWith('application/vnd.oci.'));
  const manifest = {
    schemaVersion: 2,
    mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
    config: { mediaType: oci ? MediaType.OciConfig : MediaType.DockerConfig, size: configBytes.length, digest: configDigest },
    layers: layerDescs.map((l) => oci ? { ...l, mediaType: ociLayerType(l.mediaType) } : l),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await client.putManifest(tag, bytes, manifest.mediaType);
  await deps.store.addDigestRef(rec.id, normalizeReference(r.familiar).replace(/:latest$/, ''), digest);
  for (const d of diffIds) await deps.content.addLayerBlob(d, { ...blobs.get(d)!, sources: [target] });
  progress({ status: `${tag}: digest: ${digest} size: ${bytes.length}` });
  progress({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: bytes.length } });
  deps.events.publish('image', 'push', rec.id, { name: local });
}

function ociLayerType(t: string): string {
  switch (layerCompression(t)) {
    case 'gzip': return MediaType.OciLayerGzip;
    case 'zstd': return MediaType.OciLayerZstd;
    default: return MediaType.OciLayer;
  }
}

/** A blob a pull saw in this registry and the registry still has (or mounts): nothing to send. */
async function knownRemoteBlob(deps: DistributionDeps, client: RegistryClient, diffId: string, target: string, host: string, progress: ProgressSink): Promise<LayerBlob | null> {
  const id = short(diffId);
  const known = (await deps.content.knownLayerBlobs(diffId)).filter((b) => layerCompression(b.mediaType) !== null && (b.sources ?? []).some((s) => s.startsWith(`${host}/`)));
  for (const b of known) {
    if ((await client.blobExists(b.digest)) !== null) {
      progress({ status: 'Layer already exists', id, progressDetail: {} });
      return b;
    }
    for (const src of b.sources ?? []) {
      if (!src.startsWith(`${host}/`) || src === target) continue;
      const from = src.slice(host.length + 1);
      const m = await client.mount(b.digest, from).catch(() => null);
      if (m?.mounted) { progress({ status: `Mounted from ${from}`, id, progressDetail: {} }); return b; }
    }
  }
  return null;
}

async function pushLayer(deps: DistributionDeps, client: RegistryClient, diffId: string, chainId: string, target: string, host: string, progress: ProgressSink): Promise<LayerBlob> {
  const id = short(diffId);
  const blob = await keptBlobFor(deps, diffId);
  if (!blob) {
    const remote = await knownRemoteBlob(deps, client, diffId, target, host, progress);
    if (remote) return remote;
    // No compressed blob kept: compress and upload in one pass (push-stream.ts).
    const made = await streamLayer(deps, client, await tarOf(deps, diffId, chainId), { id, progress });
    progress({ status: 'Pushed', id, progressDetail: {} });
    return made;
  }
  if ((await client.blobExists(blob.digest)) !== null) {
    progress({ status: 'Layer already exists', id, progressDetail: {} });
    return blob;
  }
  let location: string | undefined;
  for (const src of blob.sources ?? []) {
    if (!src.startsWith(`${host}/`) || src === target) continue;
    const from = src.slice(host.length + 1);
    const m = await client.mount(blob.digest, from).catch(() => null);
    if (m?.mounted) { progress({ status: `Mounted from ${from}`, id, progressDetail: {} }); return blob; }
    if (m && !m.mounted) { location = m.location; break; }
  }
  await client.uploadBlob(blob.digest, blob.size, () => {
    const meter = pushMeter(id, blob.size, progress);
    const src = deps.content.reader(blob.digest);
    src.on('error', (e) => meter.destroy(e));
    return src.pipe(meter);
  }, location);
  progress({ status: 'Pushed', id, progressDetail: {} });
  return blob;
}

function bufferStream(b: Buffer): Readable {
  return Readable.from([b], { objectMode: false });
}
