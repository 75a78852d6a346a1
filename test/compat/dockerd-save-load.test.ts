// Differential: archives move both ways between berthd and Debian's dockerd 20.10 with the
// same image IDs. berth save -> dockerd load; dockerd save (its legacy <id>/layer.tar layout)
// -> berth load; berth's save of what it loaded from dockerd is byte-identical to its first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER, TestDaemon, sleep } from '../support/daemon.ts';

const DOCKERD = '/usr/sbin/dockerd';
const skip = existsSync(DOCKERD) ? false : 'dockerd (docker.io) not installed';
const d = new TestDaemon();
const dir = mkdtempSync('/tmp/berth-test-dockerd-');
const sock = join(dir, 'dockerd.sock');
let dockerd: ChildProcess | null = null;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function dk(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(DOCKER, ['-H', `unix://${sock}`, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, DOCKER_CONFIG: join(dir, 'cli') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  if (skip) return;
  await d.start();
  await d.importBusybox();
  assert.equal((await d.docker(['run', '--name', 'berth-test-dd-src', '--network', 'none', 'busybox:latest', 'sh', '-c', 'echo hi > /f; rm /bin/ls; mkdir /o; ln -s /f /o/l'])).code, 0);
  assert.equal((await d.docker(['commit', 'berth-test-dd-src', 'berth-test-dd:one'])).code, 0);
  assert.equal((await d.docker(['rm', 'berth-test-dd-src'])).code, 0);
  // A private dockerd: no bridge, no iptables; it only loads, saves and inspects.
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  dockerd = spawn(DOCKERD, ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${sock}`, '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false',
    '--storage-driver', 'overlay2', '--config-file', join(dir, 'daemon.json')], { stdio: 'ignore' });
  for (let i = 0; i < 300 && dk(['version']).code !== 0; i++) await sleep(100);
});

after(async () => {
  if (dockerd && dockerd.exitCode === null) {
    const exited = new Promise((r) => dockerd!.once('exit', r));
    dockerd.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    if (dockerd.exitCode === null) dockerd.kill('SIGKILL');
  }
  await d.stop();
  spawnSync('umount', ['-R', '-l', join(dir, 'data')], { stdio: 'ignore' });
  spawnSync('umount', ['-R', '-l', join(dir, 'exec')], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

test('berth save -> dockerd load and dockerd save -> berth load keep the image id', { skip }, async () => {
  assert.equal(dk(['version']).code, 0, 'dockerd did not start');
  const id = ((await d.api('GET', '/images/berth-test-dd:one/json')).json as { Id: string }).Id;
  const a = join(dir, 'berth.tar');
  assert.equal((await d.docker(['save', '-o', a, 'berth-test-dd:one'])).code, 0);
  const l = dk(['load', '-i', a]);
  assert.equal(l.code, 0, l.stderr);
  assert.equal(l.stdout.trim(), 'Loaded image: berth-test-dd:one');
  assert.equal(dk(['inspect', '-f', '{{.Id}}', 'berth-test-dd:one']).stdout.trim(), id);
  const b = join(dir, 'dockerd.tar');
  assert.equal(dk(['save', '-o', b, 'berth-test-dd:one']).code, 0);
  assert.equal((await d.docker(['rmi', 'berth-test-dd:one'])).code, 0);
  const l2 = await d.docker(['load', '-i', b]);
  assert.equal(l2.code, 0, l2.stderr);
  assert.equal(l2.stdout, 'Loaded image: berth-test-dd:one\n');
  assert.equal(((await d.api('GET', '/images/berth-test-dd:one/json')).json as { Id: string }).Id, id);
  const c = join(dir, 'berth2.tar');
  assert.equal((await d.docker(['save', '-o', c, 'berth-test-dd:one'])).code, 0);
  assert.equal(sha(readFileSync(c)), sha(readFileSync(a)));
  assert.equal((await d.docker(['run', '--rm', '--network', 'none', 'berth-test-dd:one', 'cat', '/o/l'])).stdout, 'hi\n');
});
