// Push of a layer with no kept compressed blob: compressed and uploaded in one pass (one
// streamed, chunked PATCH, then PUT ?digest=). Against berth registry serve and Debian's
// Distribution registry the blob lands with the digest and size the registry verified, its
// gzip (several members: incompressible chunks are stored) decompresses to the layer's
// diffID in Node and in Go (skopeo), and a second push says "Layer already exists". Through a
// proxy that answers PATCH with 500: retried three times, then a clear error, each upload
// session cancelled, no temp blob left, berthd keeps serving; a single 500: retried, pushed. With 405 to PATCH: the same blob in one PUT instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TestDaemon, missingTools } from '../support/daemon.ts';
import { TestRegistry, DOCKER_REGISTRY, freePort } from '../support/registries.ts';

const d = new TestDaemon();
const berthReg = new TestRegistry('berth');
const distReg = new TestRegistry('distribution');
const noDist = missingTools(DOCKER_REGISTRY);
const noSkopeo = missingTools('/usr/bin/skopeo');
const tmp = mkdtempSync('/tmp/berth-test-push-stream-');
const IMAGE = 'berth-test-pushstream:v1';
let diffId = '';

before(async () => {
  await d.start();
  await berthReg.start();
  if (!noDist) await distReg.start();
  // One layer mixing incompressible bytes (stored) with text (deflated): 3 MiB each, so the
  // compressor switches between members more than once.
  const src = join(tmp, 'rootfs');
  mkdirSync(src);
  writeFileSync(join(src, 'random1.bin'), randomBytes(3 << 20));
  writeFileSync(join(src, 'text.txt'), 'berth push stream test line\n'.repeat(120_000));
  writeFileSync(join(src, 'random2.bin'), randomBytes(3 << 20));
  const tar = spawnSync('tar', ['-c', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-f', join(tmp, 'layer.tar'), '-C', src, '.']);
  assert.equal(tar.status, 0, String(tar.stderr));
  const imp = await d.docker(['import', join(tmp, 'layer.tar'), IMAGE]);
  assert.equal(imp.code, 0, imp.stderr);
  const inspect = await d.api('GET', `/images/${IMAGE}/json`);
  diffId = (inspect.json as { RootFS: { Layers: string[] } }).RootFS.Layers[0]!;
});
after(async () => {
  await d.stop();
  await berthReg.stop();
  if (!noDist) await distReg.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Drops the compressed blobs berthd kept for the layer, so the next push compresses again. */
function forgetKeptBlobs(): void {
  const layers = join(d.dataRoot, 'content/layers');
  for (const f of readdirSync(layers)) rmSync(join(layers, f), { force: true });
}

function ingestFiles(): string[] {
  return readdirSync(join(d.dataRoot, 'content/ingest'));
}

async function streamedRoundTrip(reg: TestRegistry, repo: string): Promise<void> {
  forgetKeptBlobs();
  const name = `${reg.addr}/${repo}:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /: Pushed/);
  assert.deepEqual(ingestFiles(), []);
  // The registry verified digest and size at the PUT; check them and the gzip again here.
  const man = await fetch(`${reg.url}/v2/${repo}/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(man.status, 200);
  const layer = ((await man.json()) as { layers: { digest: string; size: number; mediaType: string }[] }).layers[0]!;
  assert.equal(layer.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const blob = Buffer.from(await (await fetch(`${reg.url}/v2/${repo}/blobs/${layer.digest}`)).arrayBuffer());
  assert.equal(blob.length, layer.size);
  assert.equal(sha(blob), layer.digest);
  assert.equal(sha(gunzipSync(blob)), diffId);
  // A second push sends nothing: the kept blob, which the registry has.
  const again = await d.docker(['push', name]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  assert.doesNotMatch(again.stdout, /: Pushed/);
  // Go's gzip reader (skopeo) reads the multi-member stream to the same diffID.
  if (!noSkopeo) {
    const out = join(tmp, `skopeo-${reg.kind}`);
    const r = spawnSync('skopeo', ['copy', '--src-tls-verify=false', '--dest-decompress', `docker://${name}`, `dir:${out}`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const files = readdirSync(out).filter((f) => /^[0-9a-f]{64}$/.test(f));
    assert.ok(files.some((f) => sha(readFileSync(join(out, f))) === diffId), 'skopeo decompressed the layer to its diffID');
  } else {
    console.log(`skopeo check skipped: ${noSkopeo}`);
  }
  assert.equal((await d.docker(['rmi', name])).code, 0);
}

test('a streamed push to berth registry serve lands a verified blob; a second push says "Layer already exists"', async () => {
  await streamedRoundTrip(berthReg, 'berth-test/streamed');
});

test('a streamed push to Debian\'s Distribution registry lands a verified blob; a second push says "Layer already exists"', { skip: noDist }, async () => {
  await streamedRoundTrip(distReg, 'berth-test/streamed');
});

/**
 * A proxy in front of berth registry serve that answers every PATCH with `status` after the
 * first 64 KiB. 500: "a registry failing uploads", which drains the rest of the body and
 * fails a PUT with a body too. 405: "a registry refusing streamed uploads", which answers
 * and closes the connection at once (the client may see only the broken pipe).
 */
async function patchRefusingProxy(status: 500 | 405, failTimes = Infinity): Promise<{ server: Server; addr: string; deletes: string[] }> {
  const deletes: string[] = [];
  let failed = 0;
  const answer = (res: ServerResponse, close: boolean): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...(close ? { Connection: 'close' } : {}) });
    res.end(JSON.stringify({ errors: [{ code: status === 500 ? 'UNKNOWN' : 'UNSUPPORTED', message: `berth-test: upload answered ${status}` }] }));
  };
  const server = createServer((req, res) => {
    const bodyPut = req.method === 'PUT' && req.url?.includes('/blobs/uploads/') && Number(req.headers['content-length'] ?? 0) > 0;
    if ((req.method === 'PATCH' || (status === 500 && bodyPut)) && failed < failTimes) {
      if (req.method === 'PATCH') failed++;
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= 64 * 1024 && !res.headersSent) {
          answer(res, status === 405);
          if (status === 405) req.socket.destroySoon();
        }
      });
      req.on('end', () => { if (!res.headersSent) answer(res, false); });
      return;
    }
    if (req.method === 'DELETE') deletes.push(req.url ?? '');
    const up = request({ host: '127.0.0.1', port: berthReg.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      const headers = { ...r.headers };
      res.writeHead(r.statusCode ?? 502, headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, addr: `127.0.0.1:${port}`, deletes };
}

test('a registry answering 500 to the streamed PATCH: a clear error, the session cancelled, no temp blob, berthd keeps serving', async (t) => {
  forgetKeptBlobs();
  const proxy = await patchRefusingProxy(500);
  t.after(() => proxy.server.close());
  const blobsBefore = readdirSync(join(d.dataRoot, 'content/blobs/sha256')).sort();
  const name = `${proxy.addr}/berth-test/refused:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  t.after(() => d.docker(['rmi', name]));
  const push = await d.docker(['push', name]);
  assert.notEqual(push.code, 0);
  assert.match(push.stdout + push.stderr, /received unexpected HTTP status: 500|unknown: berth-test: upload answered 500/, push.stdout + push.stderr);
  assert.deepEqual(ingestFiles(), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'content/blobs/sha256')).sort(), blobsBefore);
  // Tried 4 times (3 retries, counted down as dockerd does), each session cancelled.
  assert.match(push.stdout, /Retrying in 1 second/);
  assert.equal(proxy.deletes.filter((u) => u.includes('/blobs/uploads/')).length, 4, `one DELETE per attempt: ${proxy.deletes.join(', ')}`);
  const ping = await d.api('GET', '/_ping');
  assert.equal(ping.status, 200);
  assert.equal((await d.docker(['image', 'inspect', IMAGE])).code, 0);
});

test('a registry failing the first streamed PATCH with 500: the layer is retried and the push completes', async (t) => {
  forgetKeptBlobs();
  const proxy = await patchRefusingProxy(500, 1);
  t.after(() => proxy.server.close());
  const name = `${proxy.addr}/berth-test/retried:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  t.after(() => d.docker(['rmi', name]));
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stdout + push.stderr);
  assert.match(push.stdout, /Retrying in 1 second/);
  assert.match(push.stdout, /: Pushed/);
  assert.deepEqual(ingestFiles(), []);
  const man = await fetch(`${berthReg.url}/v2/berth-test/retried/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(man.status, 200);
  const layer = ((await man.json()) as { layers: { digest: string }[] }).layers[0]!;
  const blob = Buffer.from(await (await fetch(`${berthReg.url}/v2/berth-test/retried/blobs/${layer.digest}`)).arrayBuffer());
  assert.equal(sha(gunzipSync(blob)), diffId);
});

test('a registry refusing the streamed PATCH (405): the same blob goes in one PUT instead', async (t) => {
  forgetKeptBlobs();
  const proxy = await patchRefusingProxy(405);
  t.after(() => proxy.server.close());
  const name = `${proxy.addr}/berth-test/monolithic:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  t.after(() => d.docker(['rmi', name]));
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /: Pushed/);
  assert.deepEqual(ingestFiles(), []);
  const man = await fetch(`${berthReg.url}/v2/berth-test/monolithic/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(man.status, 200);
  const layer = ((await man.json()) as { layers: { digest: string; size: number }[] }).layers[0]!;
  const blob = Buffer.from(await (await fetch(`${berthReg.url}/v2/berth-test/monolithic/blobs/${layer.digest}`)).arrayBuffer());
  assert.equal(sha(blob), layer.digest);
  assert.equal(sha(gunzipSync(blob)), diffId);
});

test('an anonymous push to a registry that wants a token fails at once with "unauthorized" (no hang)', async (t) => {
  // "alice:secret" (bcrypt, cost 4), as in distribution.test.ts.
  const secured = new TestRegistry('berth', { htpasswd: 'alice:$2y$04$yB51FbLxfUEb1GrtXEVihuhFcVZRmchuf6yBcKAgbHTgjtsZP4Tjm\n', token: true });
  await secured.start();
  t.after(() => secured.stop());
  const name = `${secured.addr}/berth-test/anon:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  t.after(() => d.docker(['rmi', name]));
  const t0 = Date.now();
  const push = await d.docker(['push', name]);
  assert.notEqual(push.code, 0);
  assert.match(push.stdout + push.stderr, /unauthorized|authentication required|denied/);
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

// Last: it damages the test image's layer.
test('a layer whose tar breaks off mid-stream (a file shorter than recorded): a clear error, the session cancelled, no temp blob', async (t) => {
  forgetKeptBlobs();
  const found = spawnSync('find', [join(d.dataRoot), '-path', '*/diff/random2.bin'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  assert.equal(found.length, 1, `the layer's file: ${found.join(', ')}`);
  writeFileSync(found[0]!, randomBytes(1 << 20));
  const blobsBefore = readdirSync(join(d.dataRoot, 'content/blobs/sha256')).sort();
  const name = `${berthReg.addr}/berth-test/broken:v1`;
  assert.equal((await d.docker(['tag', IMAGE, name])).code, 0);
  t.after(() => d.docker(['rmi', name]));
  const push = await d.docker(['push', name]);
  assert.notEqual(push.code, 0);
  assert.match(push.stdout + push.stderr, /shorter than recorded|cannot rebuild the layer tar/, push.stdout + push.stderr);
  assert.deepEqual(ingestFiles(), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, 'content/blobs/sha256')).sort(), blobsBefore);
  // The registry holds no upload session any more (cancelled) and no such blob.
  const uploads = spawnSync('find', [join(berthReg.dir, 'data'), '-path', '*uploads/*', '-type', 'f'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(uploads, '', `upload sessions left: ${uploads}`);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});
