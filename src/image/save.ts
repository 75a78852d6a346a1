// docker save (GET /images/get, GET /images/{name}/get): one archive that is both a Docker
// archive (manifest.json, repositories) and an OCI image layout (oci-layout, index.json,
// blobs/sha256/…), as Docker 25+ writes it. Every blob once: configs, each layer as its
// exact uncompressed tar (digest = diffID, layer-tar.ts), one OCI manifest per image.
// Everything is resolved before the first byte (an unknown image is a plain 404); then the
// archive streams, one layer at a time.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../lib/index.ts';
import { MediaType, parseReference, type Descriptor } from '../oci/index.ts';
import { chainIdsOf, type LayerTar } from '../layer/index.ts';
import type { ImageStore } from './image-store.ts';
import { layerTarFor, type LayerTarDeps } from './layer-tar.ts';
import { tarStream, type ArchiveEntry } from './archive-tar.ts';

export interface SaveDeps extends LayerTarDeps { store: ImageStore }

/** docker.io/library/busybox:latest from busybox:latest. */
export function fullName(ref: string): string {
  const r = parseReference(ref);
  const first = r.repository.split('/')[0]!;
  const hasDomain = r.repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repo = hasDomain ? r.repository : `docker.io/${r.repository.includes('/') ? r.repository : `library/${r.repository}`}`;
  return `${repo}:${r.tag ?? 'latest'}`;
}

const hexOf = (d: string): string => d.slice(7);
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface SavePlan { entries: ArchiveEntry[]; images: number; layers: number }

export async function planSave(deps: SaveDeps, names: readonly string[]): Promise<SavePlan> {
  if (names.length === 0) throw new InvalidArgumentError('no image names given');
  const images = new Map<string, { id: string; tags: string[] }>();
  for (const name of names) {
    const rec = deps.store.resolve(name);
    const e = images.get(rec.id) ?? { id: rec.id, tags: [] };
    images.set(rec.id, e);
    // By id: no tag; by name: that name (normalized, "busybox" = "busybox:latest").
    const hex = name.startsWith('sha256:') ? name.slice(7) : name;
    if (rec.id.slice(7).startsWith(hex) && /^[0-9a-f]{4,64}$/.test(hex)) continue;
    let tag: string;
    try { const r = parseReference(name); tag = `${r.repository}:${r.tag ?? 'latest'}`; } catch { continue; }
    if (!e.tags.includes(tag) && deps.store.tagsOf(rec.id).includes(tag)) e.tags.push(tag);
  }
  const blobs: ArchiveEntry[] = [];
  const seen = new Set<string>();
  const layerTars = new Map<string, LayerTar>();
  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const index: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { id, tags } of images.values()) {
    const rec = deps.store.get(id)!;
    const config = await deps.store.configBytes(id);
    if (!seen.has(id)) { seen.add(id); blobs.push({ name: `blobs/sha256/${hexOf(id)}`, data: config }); }
    const diffIds = rec.config.rootfs?.diff_ids ?? [];
    const chain = chainIdsOf(diffIds);
    const layerDescs: Descriptor[] = [];
    for (let i = 0; i < diffIds.length; i++) {
      const d = diffIds[i]!;
      let lt = layerTars.get(d);
      if (!lt) {
        lt = await layerTarFor(deps, chain[i]!, d);
        layerTars.set(d, lt);
        const t = lt;
        blobs.push({ name: `blobs/sha256/${hexOf(d)}`, size: t.size, open: () => t.open() });
        seen.add(d);
      }
      layerDescs.push({ mediaType: MediaType.OciLayer, digest: d, size: lt.size });
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: id, size: config.length },
      layers: layerDescs,
    }));
    const mdigest = sha(manifest);
    if (!seen.has(mdigest)) { seen.add(mdigest); blobs.push({ name: `blobs/sha256/${hexOf(mdigest)}`, data: manifest }); }
    const desc = { mediaType: MediaType.OciManifest, digest: mdigest, size: manifest.length };
    if (tags.length === 0) index.push(desc);
    for (const t of tags) {
      const r = parseReference(t);
      index.push({ ...desc, annotations: { 'io.containerd.image.name': fullName(t), 'org.opencontainers.image.ref.name': r.tag ?? 'latest' } });
      const top = diffIds.at(-1);
      if (top) (repositories[r.repository] ??= {})[r.tag ?? 'latest'] = hexOf(top);
    }
    manifestJson.push({ Config: `blobs/sha256/${hexOf(id)}`, RepoTags: tags.length ? tags : null, Layers: diffIds.map((d) => `blobs/sha256/${hexOf(d)}`) });
  }
  const entries: ArchiveEntry[] = [
    { name: 'blobs', dir: true },
    { name: 'blobs/sha256', dir: true },
    ...blobs,
    { name: 'index.json', data: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: index })) },
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifestJson)) },
    { name: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
  ];
  if (Object.keys(repositories).length > 0) entries.push({ name: 'repositories', data: Buffer.from(JSON.stringify(repositories)) });
  return { entries, images: images.size, layers: layerTars.size };
}

export async function saveImages(deps: SaveDeps, names: readonly string[]): Promise<Readable> {
  const plan = await planSave(deps, names);
  return Readable.from(tarStream(plan.entries), { objectMode: false, highWaterMark: 1 << 20 });
}
