import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cleanArchivePath, digestOfPath, planArchive } from './archive-manifest.ts';

const host = { os: 'linux', architecture: 'amd64' };
const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const b = (x: unknown): Buffer => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
const L1 = sha('l1'); const L2 = sha('l2'); const C = sha('c');

test('docker archive manifest.json: configs, layers, tags; blobs/sha256 paths carry digests', () => {
  const files = new Map([['manifest.json', b([
    { Config: 'blobs/sha256/' + C.slice(7), RepoTags: ['busybox:latest', 'docker.io/library/foo:1', 'localhost:5000/x/y:2'], Layers: ['blobs/sha256/' + L1.slice(7), './abc/layer.tar'] },
    { Config: 'def.json', RepoTags: null, Layers: [] },
  ])]]);
  const plan = planArchive(files, host);
  assert.equal(plan.length, 2);
  assert.deepEqual(plan[0]!.tags, ['busybox:latest', 'foo:1', 'localhost:5000/x/y:2']);
  assert.deepEqual(plan[0]!.layers, ['blobs/sha256/' + L1.slice(7), 'abc/layer.tar']);
  assert.equal(plan[0]!.digests.get('blobs/sha256/' + L1.slice(7)), L1);
  assert.equal(plan[0]!.digests.has('abc/layer.tar'), false);
  assert.deepEqual(plan[1]!.tags, []);
});

test('OCI layout: manifests by digest, names from annotations, a multi-platform index picks the host', () => {
  const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: C, size: 1 };
  const m = b({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: L1, size: 2 }] });
  const arm = b({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: L2, size: 2 }] });
  const mD = sha(m.toString()); const armD = sha(arm.toString());
  const idx = b({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: armD, size: arm.length, platform: { os: 'linux', architecture: 'arm64' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mD, size: m.length, platform: { os: 'linux', architecture: 'amd64' } },
  ] });
  const idxD = sha(idx.toString());
  const files = new Map<string, Buffer>([
    ['index.json', b({ schemaVersion: 2, manifests: [
      { mediaType: 'application/vnd.oci.image.index.v1+json', digest: idxD, size: idx.length, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:v1' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mD, size: m.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
    ] })],
    [`blobs/sha256/${idxD.slice(7)}`, idx], [`blobs/sha256/${mD.slice(7)}`, m], [`blobs/sha256/${armD.slice(7)}`, arm],
  ]);
  const plan = planArchive(files, host);
  assert.equal(plan.length, 1, 'the same manifest twice is one image');
  assert.deepEqual(plan[0]!.tags, ['multi:v1'], 'a bare ref.name is no repository');
  assert.deepEqual(plan[0]!.layers, [`blobs/sha256/${L1.slice(7)}`]);
  assert.equal(plan[0]!.digests.get(plan[0]!.config), C);
  assert.throws(() => planArchive(files, { os: 'linux', architecture: 's390x' }), /no image for linux\/s390x/);
});

test('bad archives: what is missing or malformed is named', () => {
  const cases: [Map<string, Buffer>, RegExp][] = [
    [new Map(), /neither manifest.json nor index.json/],
    [new Map([['repositories', b({})]]), /legacy/],
    [new Map([['manifest.json', b('{nope')]]), /not valid JSON/],
    [new Map([['manifest.json', b({})]]), /not a list/],
    [new Map([['manifest.json', b([{ Layers: [] }])]]), /lacks Config/],
    [new Map([['manifest.json', b([{ Config: 'a', Layers: ['../../x'] }])]]), /path traversal/],
    [new Map([['manifest.json', b([{ Config: 'a', Layers: [], RepoTags: ['UPPER:x'] }])]]), /invalid tag/],
    [new Map([['index.json', b({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: L1, size: 1 }] })]]), /missing from the archive/],
    [new Map([['index.json', b({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'md5:abc', size: 1 }] })]]), /invalid archive/],
  ];
  for (const [files, re] of cases) assert.throws(() => planArchive(files, host), re);
});

test('archive paths: cleaned; absolute and escaping names refused', () => {
  assert.equal(cleanArchivePath('./a/b/'), 'a/b');
  assert.equal(cleanArchivePath('a/../b'), 'b');
  for (const bad of ['/etc/passwd', '../x', 'a/../../x']) assert.throws(() => cleanArchivePath(bad), /invalid archive/);
  assert.equal(digestOfPath(`blobs/sha256/${L1.slice(7)}`), L1);
  assert.equal(digestOfPath('abc/layer.tar'), null);
});
