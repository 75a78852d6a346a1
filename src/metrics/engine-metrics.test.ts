import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngineMetrics, type ContainerFigures } from './engine-metrics.ts';

const running: ContainerFigures = {
  id: 'a'.repeat(64), name: 'web', image: 'busybox', composeProject: 'shop', state: 'running', restarts: 2, health: 'healthy',
  usage: { cpuSeconds: 1.5, memoryBytes: 4096, memoryLimitBytes: 65536, pids: 3, blkioReadBytes: 10, blkioWriteBytes: 20, networks: { eth0: { rxBytes: 100, txBytes: 50 } } },
};
const exited: ContainerFigures = { id: 'b'.repeat(64), name: 'job', image: 'busybox', composeProject: '', state: 'exited', restarts: 0, health: 'none', usage: null };

test('the exposition has engine and per-container series with Docker-ish labels', async () => {
  const m = await loadEngineMetrics(async () => [running, exited]);
  m.observeRequest('POST', '/containers/{id}/start', 204, 0.02);
  m.observeEvent('container', 'start', { name: 'web' }, running.id);
  m.observeEvent('container', 'oom', { name: 'web', image: 'busybox', 'com.docker.compose.project': 'shop' }, running.id);
  m.observeEvent('container', 'health_status: healthy', {}, running.id);
  const text = await m.text();
  const l = `id="${running.id}",name="web",image="busybox",compose_project="shop"`;
  for (const line of [
    'berth_api_requests_total{method="POST",route="/containers/{id}/start",status="204"} 1',
    'berth_api_request_duration_seconds_bucket{le="0.025",method="POST",route="/containers/{id}/start"} 1',
    'berth_container_starts_total 1',
    'berth_events_total{type="container",action="health_status"} 1',
    `berth_container_cpu_seconds_total{${l}} 1.5`,
    `berth_container_memory_usage_bytes{${l}} 4096`,
    `berth_container_memory_limit_bytes{${l}} 65536`,
    `berth_container_pids{${l}} 3`,
    `berth_container_network_receive_bytes_total{${l},interface="eth0"} 100`,
    `berth_container_network_transmit_bytes_total{${l},interface="eth0"} 50`,
    `berth_container_blkio_write_bytes_total{${l}} 20`,
    `berth_container_restarts{${l}} 2`,
    `berth_container_health_status{${l},status="healthy"} 1`,
    `berth_container_health_status{${l},status="unhealthy"} 0`,
    `berth_container_oom_kills_total{${l}} 1`,
    `berth_container_state{${l},state="running"} 1`,
    `berth_container_state{id="${exited.id}",name="job",image="busybox",compose_project="",state="exited"} 1`,
  ]) assert.ok(text.includes(line), `missing: ${line}`);
  assert.match(text, /# TYPE berth_container_cpu_seconds_total counter/);
  assert.match(text, /^berth_nodejs_eventloop_lag_seconds /m);
  assert.match(text, /^berth_process_resident_memory_bytes /m);
  assert.doesNotMatch(text, new RegExp(`berth_container_pids\\{id="${exited.id}"`), 'no usage series for a stopped container');
});

test('a second scrape reports current values, not sums; a failing source is counted', async () => {
  let figures = [running];
  const m = await loadEngineMetrics(async () => figures);
  await m.text();
  figures = [{ ...running, usage: { ...running.usage!, cpuSeconds: 2 } }];
  assert.match(await m.text(), /berth_container_cpu_seconds_total\{[^}]*\} 2\n/);
  const broken = await loadEngineMetrics(async () => { throw new Error('cgroup gone'); });
  assert.match(await broken.text(), /berth_metrics_scrape_errors_total 1/);
});

test('every query of the Grafana dashboard names metrics berthd exports', async () => {
  const m = await loadEngineMetrics(async () => [running]);
  const exported = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    exported.add(metric.name);
    if (metric.type === ('histogram' as unknown)) for (const s of ['_bucket', '_sum', '_count']) exported.add(metric.name + s);
  }
  const dash = JSON.parse(readFileSync(join(import.meta.dirname, '../../monitoring/grafana/berth.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { query?: string }[] } };
  const exprs = [...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dash.templating.list.map((v) => v.query ?? '').filter((q) => q.includes('berth_'))];
  assert.ok(exprs.length >= 15);
  for (const e of exprs) {
    const names = e.match(/\bberth_[a-z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, `no berth metric in ${e}`);
    for (const n of names) assert.ok(exported.has(n), `${n} (in ${e}) is not exported`);
  }
});
