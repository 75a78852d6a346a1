// docker-py's container filesystem calls (get_archive, put_archive, diff, export) against berthd.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, ensureBusyboxTar, ROOT } from '../support/daemon.ts';

const python = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import docker'], { stdio: 'ignore' }).status === 0) ?? null;
if (!python) console.log('# skipping docker-py container fs tests: no python3 with the docker package (make deps installs python3-docker)');

describe('docker-py container filesystem against berthd', { skip: python ? false : 'docker-py not installed' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); });
  after(async () => { await d.stop(); });

  test('get_archive, put_archive, diff and export', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_container_fs.py')], { env: { ...process.env, DOCKER_HOST: d.host, BUSYBOX_TAR: ensureBusyboxTar() } });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py container fs checks passed/);
  });
});
