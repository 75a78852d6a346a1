// stats, update and events through the other clients: the berth CLI (next to the docker CLI
// on the same berthd) and docker-py.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER, ROOT, TestDaemon, ensureBusyboxTar, missingTools, sleep, type RunResult } from '../support/daemon.ts';

const BERTH = join(ROOT, 'dist/berth.js');
const skip = missingTools(DOCKER, BERTH);
if (skip) console.log(`# skipping: ${skip}`);
const MB = 1024 * 1024;

function berth(d: TestDaemon, args: string[], killAfterMs?: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BERTH, ...args], { env: { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host } });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const t = killAfterMs ? setTimeout(() => p.kill('SIGINT'), killAfterMs) : setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

describe('berth CLI: stats and update', { skip }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); await d.importBusybox(); });
  after(async () => { await d.stop(); });

  test('berth stats --no-stream shows the same table as docker stats --no-stream', async () => {
    assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-bs', '--network', 'none', '-m', '64m', '--pids-limit', '9', 'busybox', 'sleep', '300'])).code, 0);
    const [b, k] = await Promise.all([berth(d, ['stats', '--no-stream']), d.docker(['stats', '--no-stream'])]);
    assert.equal(b.code, 0, b.stderr);
    const rows = (t: string): string[][] => t.trim().split('\n').map((l) => l.split(/\s{2,}/));
    const [bh, br] = rows(b.stdout);
    const [kh, kr] = rows(k.stdout);
    assert.deepEqual(bh, kh);
    assert.deepEqual([br![0], br![1], br![5], br![7]], [kr![0], kr![1], kr![5], kr![7]]); // id, name, net, pids
    assert.match(br![3]!, / \/ 64MiB$/);
    const f = await berth(d, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.MemUsage}}', 'berth-test-bs']);
    assert.match(f.stdout, /^berth-test-bs 1 \S+ \/ 64MiB\n$/);
    const missing = await berth(d, ['stats', '--no-stream', 'berth-test-nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error response from daemon: No such container: berth-test-nosuch/);
  });

  test('berth stats (live) redraws the table as docker does until interrupted', async () => {
    const r = await berth(d, ['stats'], 2600);
    assert.ok(r.stdout.startsWith('\x1b[2J'), JSON.stringify(r.stdout.slice(0, 20)));
    const frames = r.stdout.split('\x1b[H').slice(1);
    assert.ok(frames.length >= 3, `${frames.length} redraws in 2.6 s`);
    const last = frames.at(-1)!;
    assert.match(last, /CONTAINER ID\s+NAME\s+CPU %.*\x1b\[K\n/);
    assert.match(last, /berth-test-bs\s+\d+\.\d\d%\s+\S+ \/ 64MiB/);
    assert.ok(last.endsWith('\x1b[J'));
  });

  test('docker stats (streaming, as the CLI runs it by default) against berthd', async () => {
    const r = await d.docker(['stats'], { timeoutMs: 3500 });
    const frames = r.stdout.split('CONTAINER ID').slice(1);
    assert.ok(frames.length >= 2, `${frames.length} redraws`);
    assert.match(frames.at(-1)!, /berth-test-bs\s+\d+\.\d\d%\s+\S+ \/ 64MiB\s+\d+\.\d\d%\s+0B \/ 0B\s+\S+ \/ \S+\s+1/);
  });

  test('berth update applies limits live and reports errors as docker does', async () => {
    const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'berth-test-bs'])).stdout.trim();
    const u = await berth(d, ['update', '--memory', '96m', '--memory-swap', '192m', '--pids-limit', '12', 'berth-test-bs']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout, 'berth-test-bs\n');
    assert.equal(readFileSync(`/sys/fs/cgroup/memory${d.cgroupParent}/${id}/memory.limit_in_bytes`, 'utf8').trim(), String(96 * MB));
    assert.equal(readFileSync(`/sys/fs/cgroup/pids${d.cgroupParent}/${id}/pids.max`, 'utf8').trim(), '12');
    const w = await berth(d, ['update', '--blkio-weight', '300', 'berth-test-bs']);
    assert.equal(w.code, 0);
    assert.match(w.stderr, /^WARNING: Your kernel does not support Block I\/O weight/);
    const [be, de] = await Promise.all([
      berth(d, ['update', '--memory', '512m', 'berth-test-bs']), d.docker(['update', '--memory', '512m', 'berth-test-bs']),
    ]);
    assert.equal(be.code, de.code);
    assert.equal(be.stderr, de.stderr);
    await d.docker(['rm', '-f', 'berth-test-bs']);
  });
});

function pythonWithDocker(): string | null {
  const r = spawnSync('python3', ['-c', 'import docker'], { stdio: 'ignore' });
  return r.status === 0 ? 'python3' : null;
}
const python = pythonWithDocker();

describe('docker-py: stats, update, events', { skip: python ? false : 'docker-py not installed (make deps installs python3-docker)' }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); });
  after(async () => { await d.stop(); });

  test('the SDK reads stats, updates limits and sees the events', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(python!, [join(ROOT, 'test/compat/docker_py_resources.py')], { env: { ...process.env, DOCKER_HOST: d.host, BUSYBOX_TAR: ensureBusyboxTar() } });
      let text = '';
      p.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { text += b.toString(); });
      p.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(out.code, 0, out.text);
    assert.match(out.text, /all docker-py resources checks passed/);
    await sleep(0);
  });
});
