// docker-py's image.save and images.load against berthd (docker_py_save_load.py).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, ROOT } from '../support/daemon.ts';

function pythonWithDocker(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const python = pythonWithDocker();
if (!python) console.log('# skipping docker-py save/load tests: no python3 with the docker package (make deps installs python3-docker)');

describe('docker-py save and load against berthd', { skip: python ? false : 'docker-py not installed' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); });
  after(async () => { await d.stop(); });

  test('image.save(named=True) and images.load round trip with the same id', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_save_load.py')], { env: { ...process.env, DOCKER_HOST: d.host, BUSYBOX_TAR: ensureBusyboxTar() } });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py save\/load checks passed/);
  });
});
