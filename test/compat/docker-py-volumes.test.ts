// docker-py volumes against berthd, with kill -9 of berthd between writing and reading.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, ROOT } from '../support/daemon.ts';

function pythonWithDocker(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

const python = pythonWithDocker();
if (!python) console.log('# skipping docker-py volume tests: no python3 with the docker package (make deps installs python3-docker)');

describe('docker-py volumes against berthd', { skip: python ? false : 'docker-py not installed' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); await d.importBusybox(); });
  after(async () => { await d.stop(); });

  function runPy(phase: string, hostDir: string): Promise<{ code: number; text: string }> {
    return new Promise((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_volumes.py'), phase], {
        env: { ...process.env, DOCKER_HOST: d.host, BERTH_IMAGE: 'busybox', BERTH_HOST_DIR: hostDir },
      });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
  }

  test('volumes through the SDK; data survives kill -9 of berthd', async () => {
    const hostDir = join(d.dir, 'berth-test-py-host');
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, 'in'), 'from-host\n');
    const w = await runPy('write', hostDir);
    assert.equal(w.code, 0, w.text);
    assert.match(w.text, /all docker-py volume checks passed \(write\)/);
    await d.kill9();
    await d.start();
    const c = await runPy('check', hostDir);
    assert.equal(c.code, 0, c.text);
    assert.match(c.text, /all docker-py volume checks passed \(check\)/);
  });
});
