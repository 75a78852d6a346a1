// --metrics-addr against the real Prometheus from Debian: Prometheus (started by the test on
// loopback, its data in the test's temp dir) scrapes berthd and answers a PromQL query for a
// container's memory series; a metrics port already in use is a clear start-up error.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, TestDaemon, eventually } from '../support/daemon.ts';

const PROMETHEUS = '/usr/bin/prometheus';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

describe('Prometheus metrics', () => {
  const d = new TestDaemon();
  let metricsPort = 0;
  let prom: ChildProcess | null = null;

  before(async () => {
    metricsPort = await freePort();
    d.extraArgs = ['--metrics-addr', `127.0.0.1:${metricsPort}`];
    await d.start();
    await d.importBusybox();
  });
  after(async () => {
    if (prom && prom.exitCode === null) {
      const gone = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    await d.stop();
  });

  test('/metrics has engine and per-container series and answers fast', async () => {
    assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-m1', '-l', 'com.docker.compose.project=berthtest', 'busybox', 'sleep', '300'])).code, 0);
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const ms = performance.now() - t0;
    const text = await r.text();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    assert.match(text, /^berth_container_memory_usage_bytes\{id="[0-9a-f]{64}",name="berth-test-m1",image="busybox",compose_project="berthtest"\} [1-9]\d*$/m);
    assert.match(text, /^berth_container_state\{[^}]*name="berth-test-m1"[^}]*state="running"\} 1$/m);
    assert.match(text, /^berth_api_requests_total\{method="POST",route="\/containers\/\{id\}\/start",status="204"\} 1$/m);
    assert.match(text, /^berth_container_starts_total 1$/m);
    assert.ok(ms < 1000, `scrape took ${ms} ms`);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/nothing`)).status, 404);
  });

  test('the real Prometheus scrapes berthd and answers a PromQL query for a container', { skip: existsSync(PROMETHEUS) ? false : `needs ${PROMETHEUS} (make deps installs prometheus)` }, async () => {
    const dir = join(d.dir, 'prometheus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: berth
    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]
`);
    const promPort = await freePort();
    let log = '';
    prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout!.on('data', (b: Buffer) => { log += b.toString(); });
    prom.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    const q = encodeURIComponent('berth_container_memory_usage_bytes{name="berth-test-m1"}');
    const result = await eventually(async () => {
      try {
        const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`);
        const j = await r.json() as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return j.status === 'success' && j.data.result.length > 0 ? j.data.result : null;
      } catch { return null; }
    }, 30_000, 500);
    assert.ok(result, `Prometheus never returned the series; its log:\n${log}`);
    assert.equal(result[0]!.metric['compose_project'], 'berthtest');
    assert.ok(Number(result[0]!.value[1]) > 0);
    const up = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('up{job="berth"}')}`)).json() as { data: { result: { value: [number, string] }[] } };
    assert.equal(up.data.result[0]?.value[1], '1');
  });

  test('a metrics port already in use stops berthd with a clear message', async () => {
    const other = new TestDaemon();
    other.extraArgs = ['--metrics-addr', `127.0.0.1:${metricsPort}`];
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/berthd.js'), '--data-root', other.dataRoot, '--exec-root', other.execRoot, '-H', other.host,
      '--cgroup-parent', other.cgroupParent, '--bridge', other.bridge, '--firewall-table', other.firewallTable, '--bip', other.bip, ...other.extraArgs], { encoding: 'utf8', timeout: 30_000 });
    await other.stop();
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`metrics-addr 127\\.0\\.0\\.1:${metricsPort}: address already in use`));
  });
});
