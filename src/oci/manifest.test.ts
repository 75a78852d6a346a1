import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, selectPlatform, parsePlatform, layerCompression, MediaType, type ImageIndex } from './manifest.ts';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

test('parseManifest: OCI and Docker manifests and indexes; invalid documents', () => {
  const m = { schemaVersion: 2, mediaType: MediaType.DockerManifest, config: { mediaType: MediaType.DockerConfig, digest: D('a'), size: 10 }, layers: [{ mediaType: MediaType.DockerLayerGzip, digest: D('b'), size: 5 }] };
  assert.equal(parseManifest(JSON.stringify(m)).kind, 'manifest');
  const noType = { schemaVersion: 2, config: m.config, layers: [] };
  const p = parseManifest(JSON.stringify(noType), MediaType.OciManifest);
  assert.equal(p.mediaType, MediaType.OciManifest);
  const idx = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: D('c'), size: 1 }] };
  assert.equal(parseManifest(JSON.stringify(idx)).kind, 'index');
  const bad: [string, string][] = [
    ['{', 'JSON'],
    ['[]', 'object'],
    [JSON.stringify({ schemaVersion: 1 }), 'schema 1'],
    [JSON.stringify({ ...m, config: { ...m.config, digest: 'sha256:xyz' } }), 'digest'],
    [JSON.stringify({ ...m, layers: [{ mediaType: 'x', digest: D('b'), size: -1 }] }), 'size'],
    [JSON.stringify({ ...m, layers: undefined }), 'layers'],
    [JSON.stringify({ ...m, mediaType: 'application/x-unknown' }), 'unsupported'],
  ];
  for (const [doc, msg] of bad) assert.throws(() => parseManifest(doc), new RegExp(msg), doc);
  assert.throws(() => parseManifest(JSON.stringify(m), MediaType.OciIndex), /does not match/);
});

test('selectPlatform: os/arch match, variants, attestations skipped', () => {
  const idx: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [
    { mediaType: MediaType.OciManifest, digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { mediaType: MediaType.OciManifest, digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    { mediaType: MediaType.OciManifest, digest: D('3'), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
    { mediaType: MediaType.OciManifest, digest: D('4'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
    { mediaType: MediaType.OciManifest, digest: D('5'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: MediaType.OciManifest, digest: D('6'), size: 1, platform: { os: 'windows', architecture: 'amd64' } },
  ] };
  const host = { os: 'linux', architecture: 'amd64' };
  const cases: [string, string | null][] = [
    ['', D('5')], ['linux/amd64', D('5')], ['linux/arm/v7', D('2')], ['linux/arm/v6', D('1')], ['linux/arm', D('1')],
    ['linux/arm64', D('3')], ['linux/arm64/v8', D('3')], ['linux/aarch64', D('3')], ['windows/amd64', D('6')], ['linux/s390x', null], ['linux/x86_64', D('5')],
  ];
  for (const [spec, want] of cases) assert.equal(selectPlatform(idx, parsePlatform(spec, host))?.digest ?? null, want, spec);
});

test('layerCompression by media type', () => {
  assert.equal(layerCompression(MediaType.DockerLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaType.OciLayerGzip), 'gzip');
  assert.equal(layerCompression(MediaType.OciLayerZstd), 'zstd');
  assert.equal(layerCompression(MediaType.OciLayer), 'none');
  assert.equal(layerCompression('application/vnd.in-toto+json'), null);
});
