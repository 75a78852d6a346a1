// The API's doors: the unix socket is 0660 root:berth (root only without that group); a TCP
// listener needs mutual TLS, and the real docker CLI with --tlsverify / DOCKER_CERT_PATH runs
// containers through it (hijacked attach and exec included); clients without a certificate or
// with one from another CA are refused in the handshake and berthd keeps serving; berthd
// refuses to listen on plain TCP unless told --tls=false, and then says so loudly.
// Certificates are made with openssl in a berth-test-* temp dir, removed in after().
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { ROOT, TestDaemon, missingTools } from '../support/daemon.ts';
import { certPath, makePki } from '../support/pki.ts';

const skip = process.getuid?.() !== 0 ? 'needs root' : missingTools('/usr/local/bin/docker', '/usr/bin/conmon', '/usr/bin/openssl');
if (skip) console.log(`# api-tls: skipping: ${skip}`);

function port(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

/** GET /_ping over TLS with the given client material; resolves to the status or the error's message. */
function tlsPing(p: number, opts: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port: p, path: '/_ping', ...opts, servername: undefined }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err) => resolve(err.message));
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('API over TCP with mutual TLS', { skip }, () => {
  const d = new TestDaemon();
  const tmp = mkdtempSync('/tmp/berth-test-tls-');
  const p = port();
  let env: Record<string, string> = {};

  before(async () => {
    makePki(join(tmp, 'pki'), 'berth-test');
    makePki(join(tmp, 'other'), 'berth-test-other');
    const pki = join(tmp, 'pki');
    d.extraArgs = ['-H', `tcp://127.0.0.1:${p}`, '--tlsverify', '--tlscacert', join(pki, 'ca.pem'),
      '--tlscert', join(pki, 'server-cert.pem'), '--tlskey', join(pki, 'server-key.pem')];
    await d.start();
    await d.importBusybox();
    env = { DOCKER_HOST: `tcp://127.0.0.1:${p}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath(join(tmp, 'client'), pki, pki) };
  });
  after(async () => {
    await d.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the unix socket is 0660, group berth when it exists, else root', () => {
    const st = statSync(d.socket);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, 0);
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith('berth:'));
    assert.equal(st.gid, line ? Number(line.split(':')[2]) : 0);
  });

  test('docker --tlsverify with DOCKER_CERT_PATH: version, run (attach), exec', async () => {
    const v = await d.docker(['version', '--format', '{{.Server.Version}}'], { env });
    assert.equal(v.code, 0, v.stderr);
    const r = await d.docker(['--tlsverify', 'run', '--rm', 'busybox', 'echo', 'hi'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const piped = await d.docker(['run', '--rm', '-i', 'busybox', 'cat'], { env, input: 'through TLS\n' });
    assert.equal(piped.stdout, 'through TLS\n', piped.stderr);
    const id = (await d.docker(['run', '-d', '--name', 'berth-test-tls', 'busybox', 'sleep', '300'], { env })).stdout.trim();
    try {
      const e = await d.docker(['exec', id, 'echo', 'exec-hi'], { env });
      assert.equal(e.code, 0, e.stderr);
      assert.equal(e.stdout, 'exec-hi\n');
    } finally {
      await d.docker(['rm', '-f', id]);
    }
  });

  test('berth --tlsverify: flags and DOCKER_CERT_PATH; run (attach), exec; a foreign certificate is refused', async () => {
    const berthEnv = { ...env, BERTH_HOST: env['DOCKER_HOST']! };
    const v = await d.cli('berth', ['version', '--format', '{{.Server.Version}}'], { env: berthEnv });
    assert.equal(v.code, 0, v.stderr);
    assert.notEqual(v.stdout.trim(), '');
    const pki = join(tmp, 'pki');
    const flags = ['--tlsverify', '--tlscacert', join(pki, 'ca.pem'), '--tlscert', join(pki, 'client-cert.pem'), '--tlskey', join(pki, 'client-key.pem'),
      '-H', `tcp://127.0.0.1:${p}`];
    const r = await d.cli('berth', [...flags, 'run', '--rm', '-i', 'busybox', 'cat'], { env: { DOCKER_CERT_PATH: '/nonexistent' }, input: 'berth over TLS\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'berth over TLS\n');
    const id = (await d.cli('berth', ['run', '-d', '--name', 'berth-test-tls-berth', 'busybox', 'sleep', '300'], { env: berthEnv })).stdout.trim();
    try {
      const e = await d.cli('berth', ['exec', id, 'echo', 'exec-hi'], { env: berthEnv });
      assert.equal(e.stdout, 'exec-hi\n', e.stderr);
    } finally {
      await d.docker(['rm', '-f', 'berth-test-tls-berth']);
    }
    const foreign = await d.cli('berth', ['version'], {
      env: { ...berthEnv, DOCKER_CERT_PATH: certPath(join(tmp, 'client-other-berth'), pki, join(tmp, 'other')) },
    });
    assert.notEqual(foreign.code, 0, 'a certificate from another CA is refused');
    const missing = await d.cli('berth', ['--tlsverify', '--tlscert', '/nonexistent/cert.pem', '--tlskey', '/nonexistent/key.pem', '-H', `tcp://127.0.0.1:${p}`, 'version']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /could not read TLS file \/nonexistent\/cert\.pem/);
  });

  test('a client without a certificate, or with one from another CA, is refused; berthd keeps serving', async () => {
    const ca = readFileSync(join(tmp, 'pki', 'ca.pem'));
    const good = await tlsPing(p, { ca, cert: readFileSync(join(tmp, 'pki', 'client-cert.pem')), key: readFileSync(join(tmp, 'pki', 'client-key.pem')) });
    assert.equal(good, 200);
    const none = await tlsPing(p, { ca });
    assert.equal(typeof none, 'string', 'no certificate: refused');
    assert.match(String(none), /certificate|socket hang up|ECONNRESET/i);
    const foreign = await tlsPing(p, { ca, cert: readFileSync(join(tmp, 'other', 'client-cert.pem')), key: readFileSync(join(tmp, 'other', 'client-key.pem')) });
    assert.equal(typeof foreign, 'string', 'foreign CA: refused');
    const otherEnv = { ...env, DOCKER_CERT_PATH: certPath(join(tmp, 'client-other'), join(tmp, 'pki'), join(tmp, 'other')) };
    const cli = await d.docker(['version', '--format', '{{.Server.Version}}'], { env: otherEnv });
    assert.equal(cli.stdout.trim(), '', 'the docker CLI with a foreign certificate gets no server version');
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: p, path: '/_ping' }, (res) => { res.resume(); resolve(`status ${res.statusCode}`); });
      req.on('error', (err) => resolve(err.message));
      req.end();
    });
    assert.doesNotMatch(plain, /status 200/, 'plain HTTP on the TLS port');
    assert.equal(await tlsPing(p, { ca, cert: readFileSync(join(tmp, 'pki', 'client-cert.pem')), key: readFileSync(join(tmp, 'pki', 'client-key.pem')) }), 200);
    assert.equal((await d.api('GET', '/_ping')).status, 200);
  });
});

describe('plain TCP', { skip }, () => {
  test('berthd refuses -H tcp:// without TLS, with a message that says what to do', async () => {
    const dir = mkdtempSync('/tmp/berth-test-notls-');
    try {
      const child = spawn(process.execPath, [join(ROOT, 'dist/berthd.js'), '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'run'),
        '-H', `tcp://127.0.0.1:${port()}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 20_000);
        child.on('exit', (c) => { clearTimeout(t); resolve(c); });
      });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /listening on TCP requires mutual TLS: give --tlsverify with --tlscacert, --tlscert and --tlskey/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--tls=false is an explicit opt-in, loudly logged', async () => {
    const d = new TestDaemon();
    const p = port();
    d.extraArgs = ['-H', `tcp://127.0.0.1:${p}`, '--tls=false'];
    try {
      await d.start();
      assert.match(d.log, /WITHOUT TLS \(--tls=false\): anyone who can reach it has root on this host/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: p, path: '/_ping' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
    } finally {
      await d.stop();
    }
  });
});
