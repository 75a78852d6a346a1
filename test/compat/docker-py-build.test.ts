// docker-py's images.build against berthd's POST /build, and docker-compose's `build:`.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, ROOT } from '../support/daemon.ts';

function pythonWithDocker(): string | null {
  const r = spawnSync('python3', ['-c', 'import docker'], { stdio: 'ignore' });
  return r.status === 0 ? 'python3' : null;
}

function runTool(cmd: string, args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, cwd });
    let text = '';
    p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
    p.on('close', (code) => resolve({ code: code ?? -1, text }));
  });
}

const python = pythonWithDocker();
if (!python) console.log('# skipping docker-py build tests: no python3 with the docker package (make deps installs python3-docker)');
const compose = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : null;
if (!compose) console.log('# skipping docker-compose build test: docker-compose is not installed');

describe('builds from docker-py and docker-compose', () => {
  const d = new TestDaemon();
  const dir = mkdtempSync('/tmp/berth-test-pybuild-');
  before(async () => { await d.start(); await d.importBusybox(); });
  after(async () => { await d.stop(); rmSync(dir, { recursive: true, force: true }); });

  test('docker-py client.images.build', { skip: python ? false : 'docker-py not installed' }, async () => {
    const out = await runTool(python!, [join(ROOT, 'test/compat/docker_py_build.py')], { DOCKER_HOST: d.host, CONTEXT_DIR: dir });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py build checks passed/);
  });

  test('docker-compose build: and up of the built image', { skip: compose ? false : 'docker-compose not installed' }, async () => {
    const proj = join(dir, 'compose');
    spawnSync('mkdir', ['-p', join(proj, 'web')]);
    writeFileSync(join(proj, 'web', 'Dockerfile'), 'FROM busybox:latest\nARG MSG\nRUN echo "$MSG" > /msg\nCMD ["cat", "/msg"]\n');
    writeFileSync(join(proj, 'docker-compose.yml'), 'version: "3"\nservices:\n  web:\n    build:\n      context: ./web\n      args:\n        MSG: composed\n    image: berth-test-compose-web:latest\n');
    const env = { DOCKER_HOST: d.host, COMPOSE_PROJECT_NAME: 'berthtestbuild', DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' };
    const b = await runTool(compose!, ['build'], env, proj);
    assert.equal(b.code, 0, b.text);
    assert.match(b.text, /Successfully tagged berth-test-compose-web:latest/);
    const r = await d.docker(['run', '--rm', 'berth-test-compose-web:latest']);
    assert.equal(r.stdout, 'composed\n', r.stderr);
  });
});
