// Pull and push against registries on loopback: `berth registry serve` and Debian's
// Distribution registry, driven by the real docker CLI against berthd; multi-layer images
// with whiteouts, zstd and an index; login; and the bad inputs of issue 9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, missingTools } from '../support/daemon.ts';
import { TestRegistry, DOCKER_REGISTRY, pushRawImage, makeTar } from '../support/registries.ts';

const d = new TestDaemon();
const berthReg = new TestRegistry('berth');
const distReg = new TestRegistry('distribution');
const noDist = missingTools(DOCKER_REGISTRY);
// "alice:secret" (bcrypt, cost 4), as `htpasswd -B` writes it.
const HTPASSWD = 'alice:$2y$04$yB51FbLxfUEb1GrtXEVihuhFcVZRmchuf6yBcKAgbHTgjtsZP4Tjm\n';

before(async () => {
  await d.start();
  await berthReg.start();
  if (!noDist) await distReg.start();
  await d.importBusybox();
});
after(async () => {
  await d.stop();
  await berthReg.stop();
  if (!noDist) await distReg.stop();
});

async function roundTrip(reg: TestRegistry, repo: string): Promise<void> {
  const name = `${reg.addr}/${repo}:v1`;
  const id = ((await d.api('GET', '/images/busybox/json')).json as { Id: string }).Id;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Pushed/);
  assert.match(push.stdout, /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
  // A second push skips the layer the registry has.
  const again = await d.docker(['push', name]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /v1: Pulling from /);
  assert.match(pull.stdout, /Digest: sha256:[0-9a-f]{64}/);
  assert.match(pull.stdout, /Status: (Downloaded newer image|Image is up to date) for /);
  // The image id is the config's digest: the same id as before the push.
  const got = (await d.api('GET', `/images/${encodeURIComponent(name)}/json`)).json as { Id: string; RepoDigests: string[] };
  assert.equal(got.Id, id);
  assert.ok(got.RepoDigests.some((x) => x.startsWith(`${reg.addr}/${repo}@sha256:`)), JSON.stringify(got.RepoDigests));
  const run = await d.docker(['run', '--rm', name, 'echo', 'berth-test-pulled']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'berth-test-pulled');
}

test('docker push, rmi, pull and run through berth registry serve', async () => {
  await roundTrip(berthReg, 'berth-test/busybox');
});

test('docker push, rmi, pull and run through Debian\'s Distribution registry', { skip: noDist }, async () => {
  await roundTrip(distReg, 'berth-test/busybox');
});

test('docker run of an image not present pulls it first', async () => {
  const name = `${berthReg.addr}/berth-test/runpull:v1`;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  assert.equal((await d.docker(['push', name])).code, 0);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  const run = await d.docker(['run', '--rm', name, 'echo', 'berth-test-ran']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Unable to find image/);
  assert.match(run.stdout, /berth-test-ran/);
});

test('a multi-layer OCI image (gzip, zstd, plain; whiteouts; an index) pulls and runs with the layers applied in order', async () => {
  const busybox = readFileSync(ensureBusyboxTar());
  const l1 = await makeTar({ 'etc/berth-a': 'a', 'etc/berth-b': 'b', 'berthdir/': null, 'berthdir/old': 'old' });
  const l2 = await makeTar({ 'etc/.wh.berth-a': '', 'berthdir/.wh..wh..opq': '', 'berthdir/new': 'new' });
  const img = await pushRawImage(berthReg.url, 'berth-test/layers', 'v1', [
    { tar: busybox, compression: 'gzip' }, { tar: l1, compression: 'zstd' }, { tar: l2, compression: 'none' },
  ], { index: true });
  const pull = await d.docker(['pull', `${berthReg.addr}/berth-test/layers:v1`]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${img.topDigest}`));
  const inspect = (await d.api('GET', `/images/${berthReg.addr}/berth-test/layers:v1/json`)).json as { Id: string; RootFS: { Layers: string[] } };
  assert.equal(inspect.Id, img.imageId);
  assert.equal(inspect.RootFS.Layers.length, 3);
  const run = await d.docker(['run', '--rm', `${berthReg.addr}/berth-test/layers:v1`, 'sh', '-c', 'ls /etc/berth-a 2>&1; cat /etc/berth-b; echo; ls /berthdir']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /No such file or directory/);
  assert.match(run.stdout, /^b/m);
  assert.match(run.stdout, /^new$/m);
  assert.doesNotMatch(run.stdout, /old/);
  // By digest, and a second pull of the same image finds every layer present.
  const byDigest = await d.docker(['pull', `${berthReg.addr}/berth-test/layers@${img.topDigest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.match(byDigest.stdout, /Already exists|up to date/);
});

test('a missing tag or repository is Docker\'s "manifest unknown"; nothing is added', async () => {
  const before = ((await d.api('GET', '/images/json')).json as unknown[]).length;
  const r = await d.docker(['pull', `${berthReg.addr}/berth-test/busybox:nope`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /manifest for 127\.0\.0\.1:\d+\/berth-test\/busybox:nope not found: manifest unknown/);
  const repo = await d.docker(['pull', `${berthReg.addr}/berth-test/never-pushed:v1`]);
  assert.notEqual(repo.code, 0);
  assert.match(repo.stderr, /not found/);
  assert.equal(((await d.api('GET', '/images/json')).json as unknown[]).length, before);
});

test('a registry that is down is a clear error and the daemon keeps serving', async () => {
  const r = await d.docker(['pull', '127.0.0.1:1/berth-test/x:v1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /connection refused/);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('a blob whose bytes do not match its digest fails the pull and leaves no image', async () => {
  const l1 = await makeTar({ 'berth-corrupt': 'x'.repeat(5000) });
  const img = await pushRawImage(berthReg.url, 'berth-test/corrupt', 'v1', [{ tar: l1, compression: 'gzip' }]);
  const manifest = await (await fetch(`${berthReg.url}/v2/berth-test/corrupt/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).json() as { layers: { digest: string }[] };
  const blobFile = join(berthReg.dir, 'data', 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7));
  const bytes = readFileSync(blobFile);
  bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
  writeFileSync(blobFile, bytes);
  const r = await d.docker(['pull', `${berthReg.addr}/berth-test/corrupt:v1`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /verification failed|digest mismatch|invalid|unexpected/i);
  const ins = await d.api('GET', `/images/${img.imageId}/json`);
  assert.equal(ins.status, 404);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('login, push and pull with credentials; a wrong password is refused', async (t) => {
  const secured = new TestRegistry('berth', { htpasswd: HTPASSWD });
  await secured.start();
  t.after(() => secured.stop());
  const bad = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'wrong' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /401|unauthorized/i);
  const anon = await d.docker(['pull', `${secured.addr}/berth-test/x:v1`]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stderr, /unauthorized|authentication required|access denied|no basic auth credentials/i);
  const ok = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'secret' });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Login Succeeded/);
  const name = `${secured.addr}/berth-test/auth:v1`;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await d.docker(['logout', secured.addr])).code, 0);
});

test('login against Debian\'s registry with htpasswd', { skip: noDist }, async (t) => {
  const secured = new TestRegistry('distribution', { htpasswd: HTPASSWD });
  await secured.start();
  t.after(() => secured.stop());
  const bad = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'wrong' });
  assert.notEqual(bad.code, 0);
  const ok = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'secret' });
  assert.equal(ok.code, 0, ok.stderr);
  const name = `${secured.addr}/berth-test/auth:v1`;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
});

test('push mounts a blob from another repository of the same registry', async () => {
  const a = `${berthReg.addr}/berth-test/mount-a:v1`;
  const b = `${berthReg.addr}/berth-test/mount-b:v1`;
  assert.equal((await d.docker(['tag', 'busybox', a])).code, 0);
  assert.equal((await d.docker(['push', a])).code, 0);
  assert.equal((await d.docker(['tag', 'busybox', b])).code, 0);
  const push = await d.docker(['push', b]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Mounted from berth-test\//);
});

test('a pull keeps no copy of the blobs, yet a push skips or mounts them where the registry has them, and recompresses elsewhere', async () => {
  const l1 = await makeTar({ 'etc/berth-keepless-a': 'a'.repeat(5000) });
  const l2 = await makeTar({ 'etc/berth-keepless-b': 'b'.repeat(5000) });
  const img = await pushRawImage(berthReg.url, 'berth-test/keepless', 'v1', [{ tar: l1, compression: 'gzip' }, { tar: l2, compression: 'zstd' }]);
  const name = `${berthReg.addr}/berth-test/keepless:v1`;
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const layersOf = async (url: string, repo: string, tag: string): Promise<string[]> => {
    const m = await (await fetch(`${url}/v2/${repo}/manifests/${tag}`, { headers: { Accept: `${mediaType}, application/vnd.docker.distribution.manifest.v2+json` } })).json() as { layers: { digest: string }[] };
    return m.layers.map((l) => l.digest);
  };
  const original = await layersOf(berthReg.url, 'berth-test/keepless', 'v1');
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  for (const digest of original) assert.ok(!existsSync(join(d.dataRoot, 'content', 'blobs', 'sha256', digest.slice(7))), `${digest} was copied into the content store`);
  // The same repository: the registry has both blobs, nothing is sent; the manifest names them.
  const again = await d.docker(['push', name]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/Layer already exists/g)?.length, 2, again.stdout);
  assert.deepEqual(await layersOf(berthReg.url, 'berth-test/keepless', 'v1'), original);
  // Another repository of the same registry: mounted from the one it was pulled from.
  const b = `${berthReg.addr}/berth-test/keepless-b:v1`;
  assert.equal((await d.docker(['tag', name, b])).code, 0);
  const mount = await d.docker(['push', b]);
  assert.equal(mount.code, 0, mount.stderr);
  assert.equal(mount.stdout.match(/Mounted from berth-test\/keepless/g)?.length, 2, mount.stdout);
  assert.deepEqual(await layersOf(berthReg.url, 'berth-test/keepless-b', 'v1'), original);
  // Another registry: the layers' exact tars, gzipped now; pulled back, the same image.
  if (!noDist) {
    const c = `${distReg.addr}/berth-test/keepless:v1`;
    assert.equal((await d.docker(['tag', name, c])).code, 0);
    const push = await d.docker(['push', c]);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stdout.match(/Pushed/g)?.length, 2, push.stdout);
    assert.equal((await d.docker(['rmi', name, b, c])).code, 0);
    const back = await d.docker(['pull', c]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(((await d.api('GET', `/images/${encodeURIComponent(c)}/json`)).json as { Id: string }).Id, img.imageId);
    assert.equal((await d.docker(['rmi', c])).code, 0);
  } else {
    assert.equal((await d.docker(['rmi', name, b])).code, 0);
  }
});

test('GET /distribution/{name}/json names the manifest and its platforms', async () => {
  const r = await d.api('GET', `/distribution/${berthReg.addr}/berth-test/busybox:v1/json`);
  assert.equal(r.status, 200, r.body);
  const j = r.json as { Descriptor: { digest: string; mediaType: string }; Platforms: { os: string }[] };
  assert.match(j.Descriptor.digest, /^sha256:/);
  assert.equal(j.Platforms[0]!.os, 'linux');
  assert.ok(existsSync(join(d.dataRoot, 'content', 'blobs', 'sha256')));
});

test('berth CLI: registry serve (through berth), login, push, pull -q, logout', async (t) => {
  const { spawn: sp, spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync: rm, writeFileSync: wf } = await import('node:fs');
  const { freePort } = await import('../support/registries.ts');
  const dir = mkdtempSync('/tmp/berth-test-cli-registry-');
  const port = await freePort();
  wf(join(dir, 'htpasswd'), HTPASSWD);
  const berthJs = join(import.meta.dirname, '../../dist/berth.js');
  const proc = sp(process.execPath, [berthJs, 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', join(dir, 'data'), '--htpasswd', join(dir, 'htpasswd')], { stdio: 'ignore' });
  t.after(async () => {
    if (proc.exitCode === null) { const done = new Promise((r) => proc.once('exit', r)); proc.kill('SIGTERM'); await done; }
    rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/v2/`)).status === 401) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  const berth = (args: string[], input?: string): { code: number | null; out: string } => {
    const r = spawnSync(process.execPath, [berthJs, '-H', d.host, ...args], { input, encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: join(dir, 'cfg') } });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  const name = `127.0.0.1:${port}/berth-test/cli:v1`;
  assert.equal(berth(['tag', 'busybox', name]).code, 0);
  const anon = berth(['push', name]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.out, /no basic auth credentials/);
  assert.notEqual(berth(['login', '-u', 'alice', '--password-stdin', `127.0.0.1:${port}`], 'wrong').code, 0);
  const login = berth(['login', '-u', 'alice', '--password-stdin', `127.0.0.1:${port}`], 'secret');
  assert.equal(login.code, 0, login.out);
  assert.match(readFileSync(join(dir, 'cfg', 'config.json'), 'utf8'), new RegExp(`127.0.0.1:${port}`));
  const push = berth(['push', name]);
  assert.equal(push.code, 0, push.out);
  assert.match(push.out, /v1: digest: sha256:/);
  assert.equal(berth(['rmi', name]).code, 0);
  const pull = berth(['pull', '-q', name]);
  assert.equal(pull.code, 0, pull.out);
  assert.equal(pull.out.trim(), name);
  const out = berth(['logout', `127.0.0.1:${port}`]);
  assert.match(out.out, /Removing login credentials/);
});

test('registry-mirrors in daemon.json: a Docker Hub name is pulled from the mirror', async (t) => {
  const { writeFileSync: wf } = await import('node:fs');
  const { TestDaemon: TD } = await import('../support/daemon.ts');
  const mirrored = new TD();
  wf(join(mirrored.dir, 'daemon.json'), JSON.stringify({ 'registry-mirrors': [berthReg.url] }));
  mirrored.extraArgs = ['--config-file', join(mirrored.dir, 'daemon.json')];
  await mirrored.start();
  t.after(() => mirrored.stop());
  const busybox = readFileSync(ensureBusyboxTar());
  const img = await pushRawImage(berthReg.url, 'library/berth-test-mirrored', 'v1', [{ tar: busybox, compression: 'gzip' }]);
  const pull = await mirrored.docker(['pull', 'berth-test-mirrored:v1']);
  assert.equal(pull.code, 0, pull.stderr);
  const ins = (await mirrored.api('GET', '/images/berth-test-mirrored:v1/json')).json as { Id: string };
  assert.equal(ins.Id, img.imageId);
});

test('Bearer tokens: berth registry serve --token issues them, berthd fetches them from the realm a 401 names', async (t) => {
  const secured = new TestRegistry('berth', { htpasswd: HTPASSWD, token: true });
  await secured.start();
  t.after(() => secured.stop());
  const challenge = await fetch(`${secured.url}/v2/berth-test/tok/manifests/v1`);
  assert.equal(challenge.status, 401);
  assert.match(challenge.headers.get('www-authenticate') ?? '', /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="berth-registry",scope="repository:berth-test\/tok:pull"/);
  const name = `${secured.addr}/berth-test/tok:v1`;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  const anon = await d.docker(['push', name]);
  assert.notEqual(anon.code, 0);
  const bad = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'wrong' });
  assert.notEqual(bad.code, 0);
  const ok = await d.docker(['login', '-u', 'alice', '--password-stdin', secured.addr], { input: 'secret' });
  assert.equal(ok.code, 0, ok.stderr);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await d.docker(['rmi', name])).code, 0);
  const pull = await d.docker(['pull', name]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal((await d.docker(['logout', secured.addr])).code, 0);
  const anonPull = await d.docker(['pull', `${secured.addr}/berth-test/tok:v1`]);
  assert.match(anonPull.stdout + anonPull.stderr, /up to date|unauthorized|authentication required/);
});

test('TLS: berth registry serve --tls-cert; skopeo verifies it with the CA, berthd speaks HTTPS to a loopback registry', async (t) => {
  const tls = new TestRegistry('berth', { tls: true });
  await tls.start();
  t.after(() => tls.stop());
  const name = `${tls.addr}/berth-test/tls:v1`;
  assert.equal((await d.docker(['tag', 'busybox', name])).code, 0);
  const push = await d.docker(['push', name]);
  assert.equal(push.code, 0, push.stderr);
  const { spawnSync } = await import('node:child_process');
  if (!missingTools('/usr/bin/skopeo')) {
    const r = spawnSync('skopeo', ['inspect', '--cert-dir', tls.dir, `docker://${name}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
  }
  // A plain-HTTP client is refused by the TLS port.
  await assert.rejects(fetch(`http://${tls.addr}/v2/`).then((r) => r.text()).then((txt) => { if (!txt.includes('errors')) throw new Error('not a registry answer'); }));
});

/** A proxy in front of berth's registry that misbehaves on purpose. */
async function faultyProxy(mode: 'truncate-once' | 'error-500'): Promise<{ addr: string; close: () => Promise<void>; truncated: () => number }> {
  const http = await import('node:http');
  let truncated = 0;
  const server = http.createServer((req, res) => {
    if (mode === 'error-500' && req.url?.includes('/manifests/')) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('boom');
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: berthReg.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const cut = mode === 'truncate-once' && req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && !req.headers.range
        && Number(ur.headers['content-length'] ?? 0) > 4096 && truncated++ < 4;
      if (!cut) { ur.pipe(res); return; }
      let sent = 0;
      const half = Math.floor(Number(ur.headers['content-length']) / 2);
      ur.on('data', (c: Buffer) => {
        if (sent >= half) return;
        const part = c.subarray(0, half - sent);
        sent += part.length;
        res.write(part);
        if (sent >= half) { ur.destroy(); res.socket?.destroy(); }
      });
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    addr: `127.0.0.1:${port}`,
    truncated: () => truncated,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test('a download cut in the middle resumes with Range; the pulled image is whole', async (t) => {
  const big = await makeTar({ 'berth-big': 'y'.repeat(300_000) + Math.random() });
  const img = await pushRawImage(berthReg.url, 'berth-test/resume', 'v1', [{ tar: big, compression: 'none' }]);
  const proxy = await faultyProxy('truncate-once');
  t.after(() => proxy.close());
  const pull = await d.docker(['pull', `${proxy.addr}/berth-test/resume:v1`]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.ok(proxy.truncated() >= 1);
  const ins = (await d.api('GET', `/images/${img.imageId}/json`)).json as { Id: string };
  assert.equal(ins.Id, img.imageId);
});

test('a registry answering 500 is a clear error (after retries) and nothing is added', async (t) => {
  const proxy = await faultyProxy('error-500');
  t.after(() => proxy.close());
  const before = ((await d.api('GET', '/images/json')).json as unknown[]).length;
  const pull = await d.docker(['pull', `${proxy.addr}/berth-test/busybox:v1`]);
  assert.notEqual(pull.code, 0);
  assert.match(pull.stderr, /500 Internal Server Error/);
  assert.equal(((await d.api('GET', '/images/json')).json as unknown[]).length, before);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('a disk that fills during the pull: a clear error, no image, no layer left, the daemon keeps serving', async (t) => {
  const { mkdirSync, readdirSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { TestDaemon: TD } = await import('../support/daemon.ts');
  const small = new TD();
  mkdirSync(small.dataRoot, { recursive: true });
  // A 24 MiB tmpfs as the data root (stop() unmounts everything under the daemon's dir).
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'berth-test-tmpfs', small.dataRoot]);
  if (m.status !== 0) { t.skip('cannot mount a tmpfs here'); return; }
  t.after(() => small.stop());
  await small.start();
  const { randomBytes } = await import('node:crypto');
  const files: Record<string, string> = {};
  for (let i = 0; i < 8; i++) files[`big/f${i}`] = randomBytes(2_500_000).toString('latin1');
  const layer = await makeTar(files);
  await pushRawImage(berthReg.url, 'berth-test/toobig', 'v1', [{ tar: layer, compression: 'gzip' }]);
  const pull = await small.docker(['pull', `${berthReg.addr}/berth-test/toobig:v1`]);
  assert.notEqual(pull.code, 0);
  assert.match(pull.stderr + pull.stdout, /no space left on device|ENOSPC|Cannot write/i);
  assert.deepEqual((await small.api('GET', '/images/json')).json, []);
  assert.deepEqual(readdirSync(join(small.dataRoot, 'layer', 'sha256')), []);
  assert.deepEqual(readdirSync(join(small.dataRoot, 'content', 'ingest')), []);
  assert.equal((await small.api('GET', '/_ping')).status, 200);
});
