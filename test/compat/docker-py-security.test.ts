// docker-py (the Python SDK) with the security options of issue 10, against a berthd that
// serves the API over mutual TLS (the SDK's tls=TLSConfig via DOCKER_TLS_VERIFY/DOCKER_CERT_PATH).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, missingTools, ROOT } from '../support/daemon.ts';
import { certPath, makePki } from '../support/pki.ts';

const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' }).status === 0) ?? null;
const skip = process.getuid?.() !== 0 ? 'needs root' : python === null ? 'docker-py not installed (make deps installs python3-docker)' : missingTools('/usr/bin/openssl');
if (skip) console.log(`# docker-py security: skipping: ${skip}`);

describe('docker-py: security options over mutual TLS', { skip }, () => {
  const d = new TestDaemon();
  const tmp = mkdtempSync('/tmp/berth-test-pytls-');
  const port = 20000 + Math.floor(Math.random() * 20000);
  before(async () => {
    const pki = join(tmp, 'pki');
    makePki(pki, 'berth-test-py');
    d.extraArgs = ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(pki, 'ca.pem'),
      '--tlscert', join(pki, 'server-cert.pem'), '--tlskey', join(pki, 'server-key.pem')];
    await d.start();
  });
  after(async () => {
    await d.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the SDK applies capabilities, seccomp, no-new-privileges, read-only, privileged, devices, pid mode', async () => {
    const env: Record<string, string | undefined> = {
      ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certPath(join(tmp, 'client'), join(tmp, 'pki'), join(tmp, 'pki')), BUSYBOX_TAR: ensureBusyboxTar(),
    };
    // requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the SDK's CA (psf/requests#3829).
    delete env['REQUESTS_CA_BUNDLE'];
    delete env['CURL_CA_BUNDLE'];
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_security_check.py')], { env });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py security checks passed/);
  });
});
