// docker-py against berthd: the image operations of issue 3 (docker_py_images.py).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, ROOT } from '../support/daemon.ts';

function pythonWithDocker(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const python = pythonWithDocker();
if (!python) console.log('# skipping docker-py image tests: no python3 with the docker package (make deps installs python3-docker)');

describe('docker-py image operations against berthd', { skip: python ? false : 'docker-py not installed' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); });
  after(async () => { await d.stop(); });

  test('images.list filters, image.history, image.tag, images.remove, images.prune, container.commit', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_images.py')], { env: { ...process.env, DOCKER_HOST: d.host, BUSYBOX_TAR: ensureBusyboxTar() } });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py image checks passed/);
    // Everything the script made is gone.
    const left = (await d.api('GET', '/images/json?all=1')).json as unknown[];
    assert.deepEqual(left, []);
  });
});
