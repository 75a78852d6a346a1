// Image manifests and indexes (OCI image-spec manifest.md / image-index.md, and Docker's
// v2 schema2 twins), with the pure helpers the registry client and server share: media
// types, parsing with validation, platform selection from an index.

export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondist: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export const MANIFEST_TYPES: readonly string[] = [MediaType.OciManifest, MediaType.DockerManifest];
export const INDEX_TYPES: readonly string[] = [MediaType.OciIndex, MediaType.DockerList];
/** What a client sends as Accept for a manifest (docker sends the same four). */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerList, MediaType.OciManifest, MediaType.DockerManifest].join(', ');

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

export class ManifestError extends Error {}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const x = d as Descriptor;
  if (typeof x !== 'object' || x === null) throw new ManifestError(`${what}: not an object`);
  if (typeof x.digest !== 'string' || !isDigest(x.digest)) throw new ManifestError(`${what}: invalid digest ${String(x.digest)}`);
  if (typeof x.size !== 'number' || !Number.isInteger(x.size) || x.size < 0) throw new ManifestError(`${what}: invalid size`);
  if (typeof x.mediaType !== 'string' || x.mediaType === '') throw new ManifestError(`${what}: missing mediaType`);
  return x;
}

/**
 * Parses manifest bytes. `contentType` is the header the bytes came with (may be empty);
 * the body's own mediaType wins when present and must agree with a specific header.
 */
export function parseManifest(bytes: Buffer | string, contentType = ''): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString()) as Record<string, unknown>;
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ManifestError('manifest is not a JSON object');
  const header = contentType.split(';')[0]!.trim();
  const bodyType = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  if (doc.schemaVersion === 1) throw new ManifestError('schema 1 manifests are not supported');
  if (doc.schemaVersion !== 2) throw new ManifestError('manifest schemaVersion must be 2');
  const known = [...MANIFEST_TYPES, ...INDEX_TYPES];
  if (bodyType && header && known.includes(header) && header !== bodyType) {
    throw new ManifestError(`mediaType in manifest (${bodyType}) does not match the Content-Type (${header})`);
  }
  let mediaType = bodyType || (known.includes(header) ? header : '');
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  if (INDEX_TYPES.includes(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new ManifestError('index has no manifests');
    doc.manifests.forEach((m, i) => checkDescriptor(m, `manifests[${i}]`));
    if (doc.subject !== undefined) checkDescriptor(doc.subject, 'subject');
    return { kind: 'index', mediaType, index: doc as unknown as ImageIndex };
  }
  if (!MANIFEST_TYPES.includes(mediaType)) throw new ManifestError(`unsupported manifest media type ${mediaType}`);
  checkDescriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw new ManifestError('manifest has no layers array');
  doc.layers.forEach((l, i) => checkDescriptor(l, `layers[${i}]`));
  if (doc.subject !== undefined) checkDescriptor(doc.subject, 'subject');
  return { kind: 'manifest', mediaType, manifest: doc as unknown as ImageManifest };
}

/** "linux/arm64/v8" → platform; missing parts default to the host's. */
export function parsePlatform(spec: string, host: Platform): Platform {
  if (!spec) return host;
  const [os, arch, variant] = spec.toLowerCase().split('/');
  const p: Platform = { os: os || host.os, architecture: normalizeArch(arch || host.architecture) };
  const v = variant ?? (arch ? undefined : host.variant);
  if (v) p.variant = v;
  return p;
}

function normalizeArch(a: string): string {
  switch (a) {
    case 'x86_64': case 'x86-64': return 'amd64';
    case 'aarch64': return 'arm64';
    case 'i386': return '386';
    default: return a;
  }
}

/**
 * Picks the manifest of an index for a platform as containerd's platforms.Only does: same
 * os and architecture; the variant must match when both name one (arm64 treats a missing
 * variant as v8). Attestation entries ("unknown/unknown") never match.
 */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor | null {
  const wantVariant = want.variant ?? (want.architecture === 'arm64' ? 'v8' : undefined);
  let fallback: Descriptor | null = null;
  for (const m of index.manifests) {
    const p = m.platform;
    if (!p || !MANIFEST_TYPES.includes(m.mediaType) && !INDEX_TYPES.includes(m.mediaType)) continue;
    if (p.os !== want.os || normalizeArch(p.architecture) !== want.architecture) continue;
    const variant = p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);
    if (variant === wantVariant) return m;
    if (want.variant === undefined && fallback === null) fallback = m;
  }
  return fallback;
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** The compression of a layer from its media type (null: not a layer berth can apply). */
export function layerCompression(mediaType: string): Compression | null {
  switch (mediaType) {
    case MediaType.DockerLayerGzip: case MediaType.OciLayerGzip: case MediaType.DockerForeignLayer: case MediaType.OciLayerNondist:
      return 'gzip';
    case MediaType.OciLayerZstd: return 'zstd';
    case MediaType.OciLayer: case 'application/vnd.oci.image.layer.nondistributable.v1.tar': return 'none';
    default: return null;
  }
}
