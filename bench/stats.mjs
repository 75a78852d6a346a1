#!/usr/bin/env node
// Stats and limits benchmark (issue 6 targets): berthd and Debian's dockerd side by side, in one
// run, with the same machinery as bench/run.mjs (private roots, cgroup parents and bridge; the
// same cleanup after a crash: `node bench/run.mjs --cleanup`).
//   oneshot    GET /containers/{id}/stats?stream=false&one-shot=true of a running container
//   nostream   GET /containers/{id}/stats?stream=false (dockerd waits for two readings, moby#23188)
//   cli        `docker stats --no-stream` with --containers running containers
//   cpu        the daemon's own CPU (plus its helpers: containerd and shims, conmon) while
//              --streams clients stream stats for 10 s
//   limits     `docker run -d` with -m/--cpus/--pids-limit against without (start cost of limits)
// Prints medians and berthd/dockerd ratios; writes bench/results/stats.json.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Berthd, Dockerd } from './lib/engines.mjs';
import { fullSnapshot, leftovers, removeDockerdHostFiles } from './lib/host.mjs';
import { loadavg, must, pool, processTable, run, sleep } from './lib/proc.mjs';
import { sweep, sweepStale, writeState } from './lib/cleanup.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const RUNS = Number(opt('--runs', 20));
const CONTAINERS = Number(opt('--containers', 50));
const STREAMS = Number(opt('--streams', 20));
const ENGINE = opt('--engine', 'both');
const ONLY = opt('--only', 'oneshot,nostream,cli,cpu,limits').split(',');
const OUT = opt('--out', join(benchDir, 'results/stats.json'));

const t0 = Date.now();
const log = (m) => process.stderr.write(`[stats-bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${m}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null; };
const round = (x) => (x === null ? null : Math.round(x * 100) / 100);

/** Milliseconds of one GET (body fully read), over a fresh connection like a one-off client. */
function timedGet(sock, path) {
  return new Promise((res, rej) => {
    const t = performance.now();
    const req = http.request({ socketPath: sock, path, agent: false }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? res(performance.now() - t) : rej(new Error(`${path}: HTTP ${r.statusCode}`))));
    });
    req.on('error', rej);
    req.end();
  });
}

/** CPU seconds (utime+stime) of the daemon and its helpers, from /proc/<pid>/stat. */
function cpuSeconds(engine) {
  let ticks = 0;
  for (const p of engine.helperProcs(processTable())) {
    if (!p.hostNs) continue;
    try {
      const s = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return ticks / 100;
}

async function startContainers(e, n, prefix, extra = []) {
  const ids = [];
  await pool(n, 5, async (i) => {
    const r = must(await e.cli(['run', '-d', '--network', 'none', '--name', `${prefix}${i}`, ...extra, 'busybox', 'sleep', '3600']), `${e.name}: run`);
    ids[i] = r.stdout.trim();
  });
  return ids;
}

const scenarios = {
  async oneshot(engines, rows) {
    const ids = {};
    for (const e of engines) ids[e.name] = (await startContainers(e, 1, 'bs-one-'))[0];
    const samples = Object.fromEntries(engines.map((e) => [e.name, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const e of engines) samples[e.name].push(await timedGet(e.sock, `/containers/${ids[e.name]}/stats?stream=false&one-shot=true`));
    }
    rows.push({ scenario: 'stats one-shot, running container (ms)', ...Object.fromEntries(engines.map((e) => [e.name, round(median(samples[e.name]))])) });
  },
  async nostream(engines, rows) {
    const ids = {};
    for (const e of engines) ids[e.name] = (await startContainers(e, 1, 'bs-ns-'))[0];
    const samples = Object.fromEntries(engines.map((e) => [e.name, []]));
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      // 6 s apart, so berthd cannot reuse the previous reading (its window is 5 s).
      for (const e of engines) samples[e.name].push(await timedGet(e.sock, `/containers/${ids[e.name]}/stats?stream=false`));
      await sleep(6000);
    }
    rows.push({ scenario: 'stats stream=false (ms)', ...Object.fromEntries(engines.map((e) => [e.name, round(median(samples[e.name]))])) });
  },
  async cli(engines, rows) {
    const samples = Object.fromEntries(engines.map((e) => [e.name, []]));
    for (const e of engines) await startContainers(e, CONTAINERS, 'bs-cli-');
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      for (const e of engines) {
        if (e.name === 'berthd') await sleep(6000); // cold: no reading younger than 5 s to reuse
        const t = performance.now();
        const r = must(await e.cli(['stats', '--no-stream'], { timeoutMs: 300_000 }), `${e.name}: stats --no-stream`);
        samples[e.name].push(performance.now() - t);
        const lines = r.stdout.trim().split('\n').length - 1;
        if (lines < CONTAINERS) throw new Error(`${e.name}: stats --no-stream listed ${lines} of ${CONTAINERS}`);
      }
    }
    rows.push({ scenario: `docker stats --no-stream, ${CONTAINERS} containers (ms)`, ...Object.fromEntries(engines.map((e) => [e.name, round(median(samples[e.name]))])) });
    // The docker CLI itself waits for a 500 ms display tick before printing --no-stream (about
    // 520 ms with no container at all), so the row above is bounded by the CLI. berth's own CLI
    // against berthd, next to docker's against dockerd:
    const b = engines.find((e) => e.name === 'berthd');
    const dk = engines.find((e) => e.name === 'dockerd');
    if (b) {
      const own = [];
      for (let i = 0; i < Math.min(RUNS, 3); i++) {
        await sleep(6000); // no reading younger than 5 s left to reuse: the cold case
        const t = performance.now();
        must(await run(process.execPath, [join(repo, 'dist/berth.js'), '-H', `unix://${b.sock}`, 'stats', '--no-stream'], { timeoutMs: 300_000 }), 'berth stats --no-stream');
        own.push(performance.now() - t);
      }
      rows.push({ scenario: `berth stats --no-stream vs docker stats --no-stream on dockerd, ${CONTAINERS} containers (ms)`, berthd: round(median(own)), ...(dk ? { dockerd: round(median(samples.dockerd)) } : {}) });
    }
  },
  async cpu(engines, rows) {
    const out = {};
    for (const e of engines) {
      const list = (await e.api.list(false)).slice(0, STREAMS);
      const missing = STREAMS - list.length;
      const ids = [...list.map((c) => c.Id), ...(missing > 0 ? await startContainers(e, missing, 'bs-cpu-') : [])];
      await sleep(1000);
      const reqs = ids.map((id) => http.get({ socketPath: e.sock, path: `/containers/${id}/stats`, agent: false }, (r) => r.resume()));
      await sleep(1500); // streams set up
      const c0 = cpuSeconds(e);
      const w0 = performance.now();
      await sleep(10_000);
      const used = cpuSeconds(e) - c0;
      const wall = (performance.now() - w0) / 1000;
      for (const r of reqs) r.destroy();
      out[e.name] = round((used / wall) * 100);
    }
    rows.push({ scenario: `daemon CPU % streaming stats of ${STREAMS} containers`, ...out });
  },
  async limits(engines, rows) {
    const limits = ['-m', '64m', '--cpus', '0.5', '--pids-limit', '50'];
    for (const e of engines) {
      const plain = [];
      const limited = [];
      for (let i = 0; i < Math.min(RUNS, 10); i++) {
        for (const [list, extra] of [[plain, []], [limited, limits]]) {
          const t = performance.now();
          const r = must(await e.cli(['run', '-d', '--network', 'none', ...extra, 'busybox', 'true']), `${e.name}: run`);
          list.push(performance.now() - t);
          await e.api.remove(r.stdout.trim(), true).catch(() => undefined);
        }
      }
      rows.push({ scenario: `${e.name}: run -d without / with limits (ms)`, [e.name]: `${round(median(plain))} / ${round(median(limited))} (+${round(median(limited) - median(plain))})` });
    }
  },
};

async function main() {
  if (process.getuid?.() !== 0) { console.error('run as root'); return 2; }
  await sweepStale(log);
  const before = await fullSnapshot();
  const work = mkdtempSync('/var/tmp/berth-bench-');
  const runId = basename(work).slice('berth-bench-'.length);
  const engines = [];
  if (ENGINE !== 'berthd') engines.push(new Dockerd(work, runId));
  if (ENGINE !== 'dockerd') engines.push(new Berthd(work, runId, { script: join(repo, 'dist/berthd.js'), runtime: 'crun' }));
  const state = () => ({
    ownerPid: process.pid, work, engines: engines.map((e) => e.state()),
    bridges: engines.filter((e) => e.bridge).map((e) => e.bridge), cgroups: engines.map((e) => e.cgroupParent), hostFilesBefore: before.files,
  });
  const cleanup = async () => {
    const notes = [];
    for (const r of await Promise.allSettled(engines.map((e) => e.stop()))) if (r.status === 'fulfilled') notes.push(...r.value);
    notes.push(...(await sweep(state())));
    if (engines.some((e) => e.name === 'dockerd')) notes.push(...removeDockerdHostFiles(before));
    for (const l of await leftovers(before)) notes.push(`host change still present: ${l}`);
    return notes;
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { log(`${sig}: cleaning up`); for (const n of await cleanup()) log(n); process.exit(130); });
  writeState(work, state());
  const rows = [];
  const loadStart = loadavg();
  let failed = null;
  try {
    const tar = join(work, 'busybox.tar');
    must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'busybox rootfs');
    for (const e of engines) {
      log(`starting ${e.name}`);
      await e.start();
      writeState(work, state());
      await e.importImage(tar);
    }
    for (const s of ONLY) {
      log(`scenario ${s} (load ${loadavg()})`);
      await scenarios[s](engines, rows);
      for (const e of engines) await e.removeAll();
    }
  } catch (err) {
    failed = err;
    log(`failed: ${err.stack ?? err}`);
  }
  const names = engines.map((e) => e.name);
  console.log(`\n${['scenario', ...names, 'berthd/dockerd'].join(' | ')}`);
  for (const r of rows) {
    const ratio = typeof r.berthd === 'number' && typeof r.dockerd === 'number' && r.dockerd > 0 ? (r.berthd / r.dockerd).toFixed(3) : '';
    console.log([r.scenario, ...names.map((n) => r[n] ?? ''), ratio].join(' | '));
  }
  console.log(`load: start ${loadStart} | end ${loadavg()}`);
  const notes = await cleanup();
  for (const n of notes) log(n);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ startedAt: new Date(t0).toISOString(), loadStart, loadEnd: loadavg(), runs: RUNS, containers: CONTAINERS, streams: STREAMS, rows, failed: failed ? String(failed) : null, cleanup: notes }, null, 2) + '\n');
  return failed ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
