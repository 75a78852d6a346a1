#!/usr/bin/env node
// /metrics with N running containers (issue 7 target: ≤ 100 ms a scrape, ≤ 5 % of one core for
// berthd at a 5 s scrape interval). Starts its own berthd (own bridge, table and roots), runs N
// busybox containers, times M scrapes, and measures berthd's CPU (utime+stime from
// /proc/<pid>/stat) over a window of 5 s scrapes against the same window without scrapes.
// Usage: node bench/metrics.mjs [--containers 100] [--scrapes 20] [--window 30]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, readdirSync, existsSync, rmdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const N = arg('containers', 100); const M = arg('scrapes', 20); const WINDOW = arg('window', 30);
const dir = mkdtempSync('/var/tmp/berth-bench-metrics-');
const tag = dir.slice(-4).toLowerCase().replace(/[^a-z0-9]/g, 'x');
const sock = join(dir, 's.sock'); const port = 19000 + Math.floor(Math.random() * 900);
const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
const docker = (args) => execFileSync('/usr/local/bin/docker', args, { env, encoding: 'utf8' });
const cg = `/berth-bench-m${tag}`;
const d = spawn(process.execPath, [join(repo, 'dist/berthd.js'), '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'run'), '-H', `unix://${sock}`,
  '--cgroup-parent', cg, '--bridge', `bbm${tag}`, '--firewall-table', `berth-bench-m${tag}`, '--bip', '10.233.0.1/16', '--metrics-addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuTicks = () => { const f = readFileSync(`/proc/${d.pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
try {
  for (let i = 0; i < 100; i++) { try { docker(['version']); break; } catch { await sleep(100); } }
  execFileSync('bash', [join(repo, 'scripts/busybox-rootfs.sh'), join(dir, 'bb.tar')]);
  docker(['import', join(dir, 'bb.tar'), 'busybox']);
  for (let i = 0; i < N; i++) docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600']);
  const times = [];
  for (let i = 0; i < M; i++) { const t0 = performance.now(); const r = await fetch(`http://127.0.0.1:${port}/metrics`); await r.text(); times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  const hz = 100;
  const idle0 = cpuTicks(); await sleep(WINDOW * 1000); const idle = (cpuTicks() - idle0) / hz;
  const busy0 = cpuTicks();
  for (let t = 0; t < WINDOW; t += 5) { const r = await fetch(`http://127.0.0.1:${port}/metrics`); await r.text(); await sleep(5000); }
  const busy = (cpuTicks() - busy0) / hz;
  console.log(JSON.stringify({ containers: N, scrapeMsMedian: Math.round(times[times.length >> 1] * 10) / 10, scrapeMsMax: Math.round(times.at(-1) * 10) / 10,
    cpuPercentOfOneCoreWithScrapes: Math.round(busy / WINDOW * 1000) / 10, cpuPercentIdle: Math.round(idle / WINDOW * 1000) / 10, scrapeCostPercent: Math.round((busy - idle) / WINDOW * 1000) / 10 }));
} finally {
  try { docker(['rm', '-f', ...docker(['ps', '-aq']).split('\n').filter(Boolean)]); } catch { /* none */ }
  d.kill('SIGTERM'); await sleep(1500);
  try { execFileSync('ip', ['link', 'del', `bbm${tag}`]); } catch { /* gone */ }
  try { execFileSync('nft', ['delete', 'table', 'inet', `berth-bench-m${tag}`]); } catch { /* gone */ }
  for (const c of readdirSync('/sys/fs/cgroup')) { const p = join('/sys/fs/cgroup', c, cg); if (existsSync(p)) { try { rmdirSync(p); } catch { /* busy */ } } }
  rmSync(dir, { recursive: true, force: true });
}
