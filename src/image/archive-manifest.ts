// Reading image archives (docker load): which images an archive holds, from its
// manifest.json (Docker archive, Docker 1.10+ and 25+) or its index.json (OCI image layout;
// a multi-platform index picks the host's platform). Pure: the caller hands over the small
// files it buffered and says which paths hold blobs; paths are archive paths, cleaned.
import { posix } from 'node:path';
import { InvalidArgumentError } from '../lib/index.ts';
import { INDEX_TYPES, parseManifest, parseReference, selectPlatform, type ImageIndex, type Platform } from '../oci/index.ts';

export interface ArchiveImage {
  /** Archive path of the config. */
  config: string;
  /** Archive paths of the layers, base first. */
  layers: string[];
  /** Expected sha256 digests of the blobs by path, when the format names them (OCI, blobs/sha256/…). */
  digests: Map<string, string>;
  /** Familiar name:tag references to tag the image with. */
  tags: string[];
}

/** Cleans an archive member name; refuses absolute names and `..` escapes. */
export function cleanArchivePath(name: string): string {
  if (name.startsWith('/')) throw new InvalidArgumentError(`invalid archive: absolute path ${JSON.stringify(name)}`);
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '..') { if (--depth < 0) throw new InvalidArgumentError(`invalid archive: path traversal in ${JSON.stringify(name)}`); }
    else if (part !== '' && part !== '.') depth++;
  }
  return posix.normalize(name).replace(/^\.\//, '').replace(/\/$/, '');
}

function json<T>(files: ReadonlyMap<string, Buffer>, path: string, what: string): T {
  const b = files.get(path);
  if (!b) throw new InvalidArgumentError(`invalid archive: ${what} ${path} is missing from the archive`);
  try { return JSON.parse(b.toString('utf8')) as T; } catch { throw new InvalidArgumentError(`invalid archive: ${what} ${path} is not valid JSON`); }
}

/** digest → blobs/<alg>/<hex>, checked. */
export function blobPath(digest: string): string {
  const m = /^(sha256):([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new InvalidArgumentError(`invalid archive: unsupported digest ${JSON.stringify(digest)}`);
  return `blobs/${m[1]}/${m[2]}`;
}

/** The digest a blobs/sha256/<hex> path promises, or null for other paths. */
export function digestOfPath(path: string): string | null {
  const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
  return m ? `sha256:${m[1]}` : null;
}

function familiarTag(ref: string): string | null {
  try {
    const r = parseReference(ref);
    if (r.digest !== null && r.tag === null) return null;
    return `${r.repository}:${r.tag ?? 'latest'}`;
  } catch {
    return null;
  }
}

export function planArchive(files: ReadonlyMap<string, Buffer>, host: Platform): ArchiveImage[] {
  if (files.has('manifest.json')) return fromDockerManifest(files);
  if (files.has('index.json')) return fromOciIndex(files, host);
  if (files.has('repositories')) throw new InvalidArgumentError('invalid archive: a legacy (pre-1.10) image archive without manifest.json is not supported');
  throw new InvalidArgumentError('invalid archive: it contains neither manifest.json nor index.json (is it an image archive made by docker save?)');
}

function fromDockerManifest(files: ReadonlyMap<string, Buffer>): ArchiveImage[] {
  const doc = json<unknown>(files, 'manifest.json', 'manifest');
  if (!Array.isArray(doc)) throw new InvalidArgumentError('invalid archive: manifest.json is not a list');
  return doc.map((m: { Config?: unknown; RepoTags?: unknown; Layers?: unknown }, i) => {
    if (typeof m?.Config !== 'string' || !Array.isArray(m.Layers) || m.Layers.some((l) => typeof l !== 'string')) {
      throw new InvalidArgumentError(`invalid archive: manifest.json entry ${i} lacks Config or Layers`);
    }
    const config = cleanArchivePath(m.Config);
    const layers = (m.Layers as string[]).map(cleanArchivePath);
    const digests = new Map<string, string>();
    for (const p of [config, ...layers]) { const d = digestOfPath(p); if (d) digests.set(p, d); }
    const tags: string[] = [];
    for (const t of Array.isArray(m.RepoTags) ? m.RepoTags : []) {
      const f = typeof t === 'string' ? familiarTag(t) : null;
      if (f === null) throw new InvalidArgumentError(`invalid archive: invalid tag ${JSON.stringify(t)} in manifest.json`);
      tags.push(f);
    }
    return { config, layers, digests, tags };
  });
}

function fromOciIndex(files: ReadonlyMap<string, Buffer>, host: Platform): ArchiveImage[] {
  const top = parseIndex(files, 'index.json');
  const out: ArchiveImage[] = [];
  const byManifest = new Map<string, ArchiveImage>();
  for (const d of top.manifests) {
    let desc = d;
    let nameAnn = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    for (let depth = 0; INDEX_TYPES.includes(desc.mediaType); depth++) {
      if (depth > 4) throw new InvalidArgumentError('invalid archive: indexes nested too deep');
      const idx = parseIndex(files, blobPath(desc.digest));
      const pick = selectPlatform(idx, host);
      if (!pick) throw new InvalidArgumentError(`invalid archive: no image for ${host.os}/${host.architecture} in the index`);
      desc = pick;
      nameAnn ??= pick.annotations?.['io.containerd.image.name'];
    }
    const mpath = blobPath(desc.digest);
    let image = byManifest.get(mpath);
    if (!image) {
      const bytes = files.get(mpath);
      if (!bytes) throw new InvalidArgumentError(`invalid archive: manifest ${desc.digest} is missing from the archive`);
      let parsed;
      try { parsed = parseManifest(bytes, desc.mediaType); } catch (err) { throw new InvalidArgumentError(`invalid archive: manifest ${desc.digest}: ${(err as Error).message}`); }
      if (parsed.kind !== 'manifest') throw new InvalidArgumentError(`invalid archive: ${desc.digest} is not an image manifest`);
      const m = parsed.manifest;
      const config = blobPath(m.config.digest);
      const layers = m.layers.map((l) => blobPath(l.digest));
      const digests = new Map<string, string>([[mpath, desc.digest], [config, m.config.digest], ...m.layers.map((l) => [blobPath(l.digest), l.digest] as [string, string])]);
      image = { config, layers, digests, tags: [] };
      byManifest.set(mpath, image);
      out.push(image);
    }
    // Only a full reference names an image; a bare ref.name ("latest") is no repository.
    if (nameAnn && (nameAnn.includes('/') || nameAnn.includes(':'))) {
      const f = familiarTag(nameAnn);
      if (f !== null && !image.tags.includes(f)) image.tags.push(f);
    }
  }
  return out;
}

function parseIndex(files: ReadonlyMap<string, Buffer>, path: string): ImageIndex {
  const bytes = files.get(path);
  if (!bytes) throw new InvalidArgumentError(`invalid archive: ${path} is missing from the archive`);
  let parsed;
  try { parsed = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json'); } catch (err) { throw new InvalidArgumentError(`invalid archive: ${path}: ${(err as Error).message}`); }
  if (parsed.kind !== 'index') throw new InvalidArgumentError(`invalid archive: ${path} is not an index`);
  return parsed.index;
}
