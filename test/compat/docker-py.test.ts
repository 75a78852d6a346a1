// docker-py (the Python SDK) against berthd.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, ROOT } from '../support/daemon.ts';
import { TestRegistry } from '../support/registries.ts';

function pythonWithDocker(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

const python = pythonWithDocker();
if (!python) console.log('# skipping docker-py tests: no python3 with the docker package (make deps installs python3-docker)');

describe('docker-py against berthd', { skip: python ? false : 'docker-py not installed' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); });
  after(async () => { await d.stop(); });

  /** Runs one of the check scripts against the test daemon; its output, stdout and stderr together. */
  function runCheck(script: string): Promise<{ code: number; text: string }> {
    return new Promise((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat', script)], {
        env: { ...process.env, DOCKER_HOST: d.host, BUSYBOX_TAR: ensureBusyboxTar() },
      });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
  }

  test('the SDK drives every engine-core verb', async () => {
    const out = await runCheck('docker_py_check.py');
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py checks passed/);
  });

  test('the SDK drives networks, published ports and name resolution', async () => {
    const out = await runCheck('docker_py_network_check.py');
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py network checks passed/);
  });

  test('the SDK logs in, pushes and pulls through berth registry serve', async (t) => {
    const reg = new TestRegistry('berth', { htpasswd: 'alice:$2y$04$yB51FbLxfUEb1GrtXEVihuhFcVZRmchuf6yBcKAgbHTgjtsZP4Tjm\n' });
    await reg.start();
    t.after(() => reg.stop());
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_distribution_check.py')], {
        env: { ...process.env, DOCKER_HOST: d.host, REGISTRY: reg.addr, BUSYBOX_TAR: ensureBusyboxTar(), DOCKER_CONFIG: join(d.dir, 'py-docker-config') },
      });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py distribution checks passed/);
  });
});
