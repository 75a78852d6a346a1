// `berth registry serve` against the distribution spec: uploads (monolithic, chunked,
// resumable status, mount), blobs with Range, manifests with Accept and digests, listings
// with pagination, referrers, the spec's error codes for malformed input, auth, read-only,
// gc; then skopeo (inspect, copy to and from, delete) as a real client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestRegistry, makeTar, pushRawImage } from '../support/registries.ts';
import { missingTools, ensureBusyboxTar } from '../support/daemon.ts';

const reg = new TestRegistry('berth');
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let U = '';

before(async () => { await reg.start(); U = reg.url; });
after(async () => { await reg.stop(); });

async function errCode(r: Response): Promise<string> {
  const j = await r.json() as { errors: { code: string }[] };
  return j.errors[0]!.code;
}

test('/v2/ answers with the API version header', async () => {
  const r = await fetch(`${U}/v2/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
});

test('chunked upload with PATCH and Content-Range, status, then PUT; Range reads', async () => {
  const data = Buffer.from('0123456789abcdefghij');
  const digest = sha(data);
  const start = await fetch(`${U}/v2/berth-test/chunks/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const loc = start.headers.get('location')!;
  assert.ok(start.headers.get('docker-upload-uuid'));
  let r = await fetch(`${U}${loc}`, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('range'), '0-9');
  // Out of order: 416 and the current range.
  r = await fetch(`${U}${loc}`, { method: 'PATCH', body: data.subarray(12), headers: { 'Content-Range': '12-19' } });
  assert.equal(r.status, 416);
  r = await fetch(`${U}${loc}`);
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('range'), '0-9');
  r = await fetch(`${U}${loc}`, { method: 'PATCH', body: data.subarray(10), headers: { 'Content-Range': '10-19' } });
  assert.equal(r.status, 202);
  r = await fetch(`${U}${loc}?digest=${digest}`, { method: 'PUT' });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('docker-content-digest'), digest);
  r = await fetch(`${U}/v2/berth-test/chunks/blobs/${digest}`, { headers: { Range: 'bytes=5-9' } });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), 'bytes 5-9/20');
  assert.equal(await r.text(), '56789');
  r = await fetch(`${U}/v2/berth-test/chunks/blobs/${digest}`, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '20');
  r = await fetch(`${U}/v2/berth-test/chunks/blobs/${digest}`, { headers: { Range: 'bytes=30-' } });
  assert.equal(r.status, 416);
});

test('a wrong digest is DIGEST_INVALID and stores nothing; an unknown blob is BLOB_UNKNOWN', async () => {
  const data = Buffer.from('some bytes');
  const wrong = sha('other bytes');
  let r = await fetch(`${U}/v2/berth-test/bad/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: data });
  assert.equal(r.status, 400);
  assert.equal(await errCode(r), 'DIGEST_INVALID');
  r = await fetch(`${U}/v2/berth-test/bad/blobs/${wrong}`);
  assert.equal(r.status, 404);
  assert.equal(await errCode(r), 'BLOB_UNKNOWN');
  r = await fetch(`${U}/v2/berth-test/bad/blobs/uploads/?digest=sha256:nothex`, { method: 'POST', body: data });
  assert.equal(r.status, 400);
  assert.equal(await errCode(r), 'DIGEST_INVALID');
  r = await fetch(`${U}/v2/Bad_Name/blobs/${wrong}`);
  assert.equal(await errCode(r), 'NAME_INVALID');
  r = await fetch(`${U}/v2/berth-test/bad/blobs/uploads/00000000-0000-0000-0000-000000000000`, { method: 'PATCH', body: data });
  assert.equal(r.status, 404);
  assert.equal(await errCode(r), 'BLOB_UPLOAD_UNKNOWN');
});

test('manifests: by tag and digest, Accept, HEAD, missing blobs, invalid JSON, digest mismatch, delete', async () => {
  const tar = await makeTar({ 'hello': 'world' });
  const img = await pushRawImage(U, 'berth-test/m', 'v1', [{ tar, compression: 'gzip' }]);
  let r = await fetch(`${U}/v2/berth-test/m/manifests/v1`, { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-content-digest'), img.manifestDigest);
  assert.equal(r.headers.get('content-type'), 'application/vnd.oci.image.manifest.v1+json');
  r = await fetch(`${U}/v2/berth-test/m/manifests/${img.manifestDigest}`);
  assert.equal(r.status, 200);
  assert.equal(sha(Buffer.from(await r.arrayBuffer())), img.manifestDigest);
  r = await fetch(`${U}/v2/berth-test/m/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(r.status, 404);
  assert.equal(await errCode(r), 'MANIFEST_UNKNOWN');
  r = await fetch(`${U}/v2/berth-test/m/manifests/nope`);
  assert.equal(await errCode(r), 'MANIFEST_UNKNOWN');
  r = await fetch(`${U}/v2/berth-test/never/manifests/v1`);
  assert.equal(await errCode(r), 'NAME_UNKNOWN');
  const missing = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('no such config'), size: 14 }, layers: [] });
  r = await fetch(`${U}/v2/berth-test/m/manifests/v2`, { method: 'PUT', body: missing, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 400);
  assert.equal(await errCode(r), 'MANIFEST_BLOB_UNKNOWN');
  r = await fetch(`${U}/v2/berth-test/m/manifests/v2`, { method: 'PUT', body: '{not json', headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(await errCode(r), 'MANIFEST_INVALID');
  r = await fetch(`${U}/v2/berth-test/m/manifests/v2`, { method: 'PUT', body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] }), headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(await errCode(r), 'MANIFEST_INVALID');
  const good = Buffer.from(await (await fetch(`${U}/v2/berth-test/m/manifests/v1`)).arrayBuffer());
  r = await fetch(`${U}/v2/berth-test/m/manifests/${sha('x')}`, { method: 'PUT', body: good, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(await errCode(r), 'DIGEST_INVALID');
  r = await fetch(`${U}/v2/berth-test/m/manifests/bad tag!`, { method: 'PUT', body: good });
  assert.equal(r.status, 400);
  // Delete by digest removes the tag too.
  r = await fetch(`${U}/v2/berth-test/m/manifests/${img.manifestDigest}`, { method: 'DELETE' });
  assert.equal(r.status, 202);
  r = await fetch(`${U}/v2/berth-test/m/manifests/v1`);
  assert.equal(r.status, 404);
});

test('tags/list and _catalog paginate with n, last and a Link header', async () => {
  const tar = await makeTar({ 'f': 'x' });
  await pushRawImage(U, 'berth-test/tags', 'a', [{ tar, compression: 'gzip' }]);
  const m = Buffer.from(await (await fetch(`${U}/v2/berth-test/tags/manifests/a`)).arrayBuffer());
  for (const t of ['b', 'c', 'd']) {
    const r = await fetch(`${U}/v2/berth-test/tags/manifests/${t}`, { method: 'PUT', body: m, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(r.status, 201);
  }
  let r = await fetch(`${U}/v2/berth-test/tags/tags/list?n=2`);
  assert.deepEqual(await r.json(), { name: 'berth-test/tags', tags: ['a', 'b'] });
  assert.equal(r.headers.get('link'), '</v2/berth-test/tags/tags/list?n=2&last=b>; rel="next"');
  r = await fetch(`${U}/v2/berth-test/tags/tags/list?n=2&last=b`);
  assert.deepEqual(((await r.json()) as { tags: string[] }).tags, ['c', 'd']);
  assert.equal(r.headers.get('link'), null);
  r = await fetch(`${U}/v2/_catalog?n=1`);
  const cat = await r.json() as { repositories: string[] };
  assert.equal(cat.repositories.length, 1);
  assert.match(r.headers.get('link') ?? '', /rel="next"/);
  r = await fetch(`${U}/v2/berth-test/none/tags/list`);
  assert.equal(await errCode(r), 'NAME_UNKNOWN');
});

test('cross-repository mount links an existing blob; an unknown one starts an upload', async () => {
  const data = Buffer.from('mount me');
  const digest = sha(data);
  assert.equal((await fetch(`${U}/v2/berth-test/src/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data })).status, 201);
  let r = await fetch(`${U}/v2/berth-test/dst/blobs/uploads/?mount=${digest}&from=berth-test/src`, { method: 'POST' });
  assert.equal(r.status, 201);
  assert.equal((await fetch(`${U}/v2/berth-test/dst/blobs/${digest}`)).status, 200);
  r = await fetch(`${U}/v2/berth-test/dst2/blobs/uploads/?mount=${sha('absent')}&from=berth-test/src`, { method: 'POST' });
  assert.equal(r.status, 202);
  assert.match(r.headers.get('location') ?? '', /\/blobs\/uploads\//);
});

test('referrers: a manifest with a subject is listed for that subject', async () => {
  const tar = await makeTar({ 'r': 'x' });
  const img = await pushRawImage(U, 'berth-test/ref', 'v1', [{ tar, compression: 'gzip' }]);
  const empty = Buffer.from('{}');
  await fetch(`${U}/v2/berth-test/ref/blobs/uploads/?digest=${sha(empty)}`, { method: 'POST', body: empty });
  const subjectSize = Number((await fetch(`${U}/v2/berth-test/ref/manifests/v1`, { method: 'HEAD' })).headers.get('content-length'));
  const art = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.berth.test',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 }, layers: [],
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: img.manifestDigest, size: subjectSize } });
  let r = await fetch(`${U}/v2/berth-test/ref/manifests/${sha(art)}`, { method: 'PUT', body: art, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get('oci-subject'), img.manifestDigest);
  r = await fetch(`${U}/v2/berth-test/ref/referrers/${img.manifestDigest}`);
  const idx = await r.json() as { manifests: { digest: string; artifactType: string }[] };
  assert.equal(idx.manifests.length, 1);
  assert.equal(idx.manifests[0]!.artifactType, 'application/vnd.berth.test');
});

test('htpasswd auth: 401 with a Basic challenge, wrong password refused, right one accepted; read-only refuses writes', async (t) => {
  const secured = new TestRegistry('berth', { htpasswd: 'alice:$2y$04$yB51FbLxfUEb1GrtXEVihuhFcVZRmchuf6yBcKAgbHTgjtsZP4Tjm\n' });
  const ro = new TestRegistry('berth', { readOnly: true });
  await secured.start();
  await ro.start();
  t.after(async () => { await secured.stop(); await ro.stop(); });
  let r = await fetch(`${secured.url}/v2/`);
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  assert.equal(await errCode(r), 'UNAUTHORIZED');
  r = await fetch(`${secured.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` } });
  assert.equal(r.status, 401);
  r = await fetch(`${secured.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` } });
  assert.equal(r.status, 200);
  r = await fetch(`${ro.url}/v2/berth-test/x/blobs/uploads/`, { method: 'POST' });
  assert.equal(r.status, 405);
  assert.equal(await errCode(r), 'UNSUPPORTED');
  assert.equal((await fetch(`${ro.url}/v2/_catalog`)).status, 200);
});

test('gc deletes unreferenced blobs and keeps referenced ones', async () => {
  const tar = await makeTar({ 'gc': 'keep' });
  const img = await pushRawImage(U, 'berth-test/gc', 'v1', [{ tar, compression: 'gzip' }]);
  const orphan = Buffer.from('orphan blob');
  await fetch(`${U}/v2/berth-test/gc/blobs/uploads/?digest=${sha(orphan)}`, { method: 'POST', body: orphan });
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/berth-registry.js'), 'gc', '--root', join(reg.dir, 'data'), '--grace', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`deleted ${sha(orphan)}`));
  assert.equal((await fetch(`${U}/v2/berth-test/gc/blobs/${img.imageId}`)).status, 200);
  assert.equal((await fetch(`${U}/v2/berth-test/gc/manifests/v1`)).status, 200);
});

const noSkopeo = missingTools('/usr/bin/skopeo');
test('skopeo inspect, copy to and from berth registry serve, delete', { skip: noSkopeo }, async () => {
  const busybox = (await import('node:fs')).readFileSync(ensureBusyboxTar());
  await pushRawImage(U, 'berth-test/sk', 'v1', [{ tar: busybox, compression: 'gzip' }], { index: true });
  const sk = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync('skopeo', args, { encoding: 'utf8', timeout: 60_000 });
  let r = sk(['inspect', '--tls-verify=false', `docker://${reg.addr}/berth-test/sk:v1`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { Architecture: string }).Architecture, 'amd64');
  const dir = mkdtempSync('/tmp/berth-test-skopeo-');
  try {
    r = sk(['copy', '--src-tls-verify=false', `docker://${reg.addr}/berth-test/sk:v1`, `oci:${join(dir, 'layout')}:v1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'layout', 'index.json')));
    r = sk(['copy', '--dest-tls-verify=false', `oci:${join(dir, 'layout')}:v1`, `docker://${reg.addr}/berth-test/sk-copy:v2`]);
    assert.equal(r.status, 0, r.stderr);
    r = sk(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--all', `docker://${reg.addr}/berth-test/sk:v1`, `docker://${reg.addr}/berth-test/sk-all:v1`]);
    assert.equal(r.status, 0, r.stderr);
    r = sk(['inspect', '--tls-verify=false', '--raw', `docker://${reg.addr}/berth-test/sk-all:v1`]);
    assert.match(r.stdout, /image\.index/);
    r = sk(['list-tags', '--tls-verify=false', `docker://${reg.addr}/berth-test/sk-copy`]);
    assert.deepEqual((JSON.parse(r.stdout) as { Tags: string[] }).Tags, ['v2']);
    r = sk(['delete', '--tls-verify=false', `docker://${reg.addr}/berth-test/sk-copy:v2`]);
    assert.equal(r.status, 0, r.stderr);
    r = sk(['inspect', '--tls-verify=false', `docker://${reg.addr}/berth-test/sk-copy:v2`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /manifest unknown/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
