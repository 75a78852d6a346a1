// The scenarios. Each runs the same work against every live engine, interleaving the engines
// run by run (ABBA order) so drifting machine load hits both alike. An engine that fails is
// recorded with its error and, after MAX_FAILS failures, skipped for the rest of the scenario.
import { performance } from 'node:perf_hooks';
import { Row, median } from './report.mjs';
import { must, pool, run, sleep } from './proc.mjs';
import { networkInterfaces } from 'node:os';

const MAX_FAILS = 3;
const LOG_BYTES = 52_428_800;
const LOG_CMD = `yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c ${LOG_BYTES}`;

export class Aborted extends Error {}

/** Engines (and the floor) in alternating order: A B, B A, A B … */
function order(list, i) {
  return i % 2 ? [...list].reverse() : list;
}

async function attempt(ctx, row, engine, fn) {
  ctx.checkAbort();
  if (engine.broken) {
    row.fail(engine.name, `engine did not start: ${engine.broken}`);
    return undefined;
  }
  if (engine.exited) {
    engine.diedDuring ??= row.id;
    row.fail(engine.name, `${engine.name} is no longer running (exited ${JSON.stringify(engine.exited)}, noticed in ${engine.diedDuring})`);
    return undefined;
  }
  row.failCount ??= {};
  if ((row.failCount[engine.name] ?? 0) >= MAX_FAILS) return undefined;
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Aborted || ctx.aborted) throw new Aborted('aborted');
    row.failCount[engine.name] = (row.failCount[engine.name] ?? 0) + 1;
    row.fail(engine.name, err);
    ctx.log(`  ${engine.name}: ${row.id}: ${String(err.message ?? err).split('\n')[0].slice(0, 300)}`);
    return undefined;
  }
}

async function tidy(ctx, engine) {
  if (engine.broken || engine.exited || ctx.aborted) return; // after an abort the cleanup removes everything
  try {
    await engine.removeAll();
  } catch (err) {
    ctx.log(`  ${engine.name}: removing containers: ${err.message}`);
  }
}

/** `docker run -d … busybox sleep 600` n times, width at a time; returns the ids. */
async function startDetached(engine, n, width, extra) {
  return pool(n, width, async () => {
    const res = must(await engine.cli(['run', '-d', ...extra, 'busybox', 'sleep', '600']), 'docker run -d');
    return res.stdout.trim().split('\n').pop();
  });
}

async function expectRunning(engine, n) {
  const running = (await engine.api.list(false)).length;
  if (running !== n) throw new Error(`${running} containers running, expected ${n}`);
}

function runRm(id, title, extra) {
  return async (ctx) => {
    const row = new Row({ id, title, unit: 'ms', better: 'lower', target: { op: '<=', factor: 0.3, basis: 'dockerd' } });
    const args = ['run', '--rm', ...extra, 'busybox', 'true'];
    for (const e of ctx.engines) await attempt(ctx, row, e, async () => must(await e.cli(args), 'warm-up docker run --rm'));
    for (let i = 0; i < ctx.runs; i++) {
      for (const e of order(ctx.engines, i)) {
        await attempt(ctx, row, e, async () => row.add(e.name, must(await e.cli(args), 'docker run --rm').ms));
      }
    }
    for (const e of ctx.engines) {
      if (e.broken) continue;
      await attempt(ctx, row, e, async () => {
        const left = (await e.api.list(true)).length;
        if (left) throw new Error(`--rm left ${left} container(s) behind`);
      });
      await tidy(ctx, e);
    }
    return [row];
  };
}

/** Raw API create/start/wait/delete, NetworkMode none, interleaved with the runtime floor. */
async function api(ctx) {
  const row = new Row({ id: 'api', title: 'API create/start/wait/delete (none)', unit: 'ms', better: 'lower', target: { op: '<=', factor: 3, basis: 'floor' } });
  const body = { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } };
  const once = async (e) => {
    const t0 = performance.now();
    const id = await e.api.create(body);
    await e.api.start(id);
    const code = await e.api.wait(id);
    await e.api.remove(id);
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`container exited ${code}`);
    return ms;
  };
  const parts = [...ctx.engines, 'floor'];
  for (const e of ctx.engines) await attempt(ctx, row, e, () => once(e));
  await floorOnce(ctx, false);
  for (let i = 0; i < ctx.runs; i++) {
    for (const p of order(parts, i)) {
      if (p === 'floor') await floorOnce(ctx, true);
      else await attempt(ctx, row, p, async () => row.add(p.name, await once(p)));
    }
  }
  for (const e of ctx.engines) await tidy(ctx, e);
  return [row];
}

async function floorOnce(ctx, record) {
  ctx.checkAbort();
  const f = ctx.floorResult;
  if (!ctx.floor || f.fails >= MAX_FAILS) return;
  try {
    const ms = await ctx.floor.once();
    if (record) f.samples.push(ms);
  } catch (err) {
    f.fails++;
    f.error ??= String(err.message ?? err).slice(0, 400);
    ctx.log(`  floor: ${f.error}`);
  }
}

async function crun(ctx) {
  await floorOnce(ctx, false);
  for (let i = 0; i < ctx.runs; i++) await floorOnce(ctx, true);
  return [];
}

/** `docker ps -a` with 200 created (never started) containers. */
async function ps(ctx) {
  const row = new Row({ id: 'ps', title: 'docker ps -a, 200 containers', unit: 'ms', better: 'lower', target: { op: '<=', factor: 1, basis: 'dockerd' } });
  const ready = new Set();
  for (const e of ctx.engines) {
    await attempt(ctx, row, e, async () => {
      // Generated names, as `docker create` gets them, 10 creates in flight. A 409 name conflict
      // between concurrent creates is an engine bug: retried so ps is still measured, and noted.
      let conflicts = 0;
      await pool(200, 10, async () => {
        for (let k = 0; ; k++) {
          try {
            return await e.api.create({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
          } catch (err) {
            if (k >= 4 || err.status !== 409 || !/already in use/.test(err.message)) throw err;
            conflicts++;
          }
        }
      });
      if (conflicts) row.fail(e.name, `setup: ${conflicts} of 200 concurrent creates without a name failed with HTTP 409 (generated name already in use); retried`);
      const res = must(await e.cli(['ps', '-a']), 'docker ps -a');
      const listed = res.stdout.trim().split('\n').length - 1;
      if (listed !== 200) throw new Error(`docker ps -a listed ${listed} containers, expected 200`);
      ready.add(e.name);
    });
  }
  for (let i = 0; i < ctx.runs; i++) {
    for (const e of order(ctx.engines, i)) {
      if (!ready.has(e.name)) continue; // setup failed: timing fewer containers would mislead
      await attempt(ctx, row, e, async () => row.add(e.name, must(await e.cli(['ps', '-a']), 'docker ps -a').ms));
    }
  }
  for (const e of ctx.engines) await tidy(ctx, e);
  return [row];
}

/** 50 × `docker run -d busybox sleep 600`, 10 in flight: containers per second of wall time. */
function start50(id, title, extra) {
  return async (ctx) => {
    const row = new Row({ id, title, unit: 'containers/s', better: 'higher', target: { op: '>=', factor: 4, basis: 'dockerd' } });
    const batches = Math.max(1, Math.min(3, ctx.runs));
    for (let b = 0; b < batches; b++) {
      for (const e of order(ctx.engines, b)) {
        await attempt(ctx, row, e, async () => {
          try {
            const t0 = performance.now();
            await startDetached(e, 50, 10, extra);
            const s = (performance.now() - t0) / 1000;
            await expectRunning(e, 50);
            row.add(e.name, 50 / s);
          } finally {
            await tidy(ctx, e);
          }
        });
      }
    }
    return [row];
  };
}

/** `docker logs <id> > /dev/null` of a container that wrote 50 MiB to stdout. */
async function logs(ctx) {
  const row = new Row({ id: 'logs', title: 'docker logs, 50 MiB', unit: 'MiB/s', better: 'higher', target: { op: '>=', factor: 3, basis: 'dockerd' } });
  const ids = new Map();
  for (const e of ctx.engines) {
    await attempt(ctx, row, e, async () => {
      // json-file on both, with room for all 50 MiB: berthd rotates by default (20m x 5 of JSON
      // lines, less than 50 MiB of short lines); dockerd keeps everything by default.
      const res = must(await e.cli(['run', '-d', '--network', 'none', '--log-driver', 'json-file', '--log-opt', 'max-size=1g', 'busybox', 'sh', '-c', LOG_CMD]), 'docker run -d (log writer)');
      const id = res.stdout.trim().split('\n').pop();
      const t0 = performance.now();
      const code = await e.api.wait(id, 600_000);
      if (code !== 0) throw new Error(`log writer exited ${code}`);
      const writeMs = performance.now() - t0;
      // An untimed read through a pipe checks the byte count (an empty answer would look fast).
      let got = 0;
      let readMs = 0;
      for (let k = 0; k < 10 && got !== LOG_BYTES; k++) {
        if (k) await sleep(1000);
        const r = must(await e.cli(['logs', id], { stdout: 'count', timeoutMs: 600_000 }), 'docker logs');
        got = r.bytes;
        readMs = r.ms;
      }
      if (got !== LOG_BYTES) throw new Error(`docker logs returned ${got} bytes, expected ${LOG_BYTES}`);
      row.details[e.name] = { writeAndWaitMs: Math.round(writeMs), pipedReadMs: Math.round(readMs) };
      ids.set(e.name, id);
    });
  }
  const reads = Math.max(3, Math.min(ctx.runs, 7));
  for (let i = 0; i < reads; i++) {
    for (const e of order(ctx.engines, i)) {
      if (!ids.has(e.name)) continue;
      await attempt(ctx, row, e, async () => {
        const r = must(await e.cli(['logs', ids.get(e.name)], { stdout: 'devnull', timeoutMs: 600_000 }), 'docker logs');
        row.add(e.name, LOG_BYTES / 1048576 / (r.ms / 1000));
      });
    }
  }
  for (const e of ctx.engines) await tidy(ctx, e);
  return [row];
}

async function memSamples(engine, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (i) await sleep(500);
    out.push(engine.memory());
  }
  return out;
}

const mib = (kib) => Math.round((kib / 1024) * 100) / 100;
const summary = (m) => ({ totalMiB: mib(m.totalKiB), byComm: Object.fromEntries(Object.entries(m.byComm).map(([k, v]) => [k, { count: v.count, pssMiB: mib(v.pssKiB) }])) });

/** PSS of daemon + helpers, idle and with 50 running `sleep` containers (--network none). */
async function mem(ctx) {
  const idle = new Row({ id: 'mem-idle', title: 'memory idle (PSS)', unit: 'MiB', better: 'lower', target: { op: '<=', factor: 0.5, basis: 'dockerd' } });
  const per = new Row({ id: 'mem-per-container', title: 'memory per running container', unit: 'MiB', better: 'lower', target: { op: '<=', factor: 1, basis: 'dockerd' } });
  for (const e of ctx.engines) {
    await attempt(ctx, idle, e, async () => {
      await sleep(1000);
      const s = await memSamples(e, 3);
      for (const m of s) idle.add(e.name, m.totalKiB / 1024);
      idle.details[e.name] = summary(s[s.length - 1]);
    });
  }
  for (const e of ctx.engines) {
    const base = median(idle.samples[e.name]);
    if (base === null) {
      if (!e.broken) per.fail(e.name, 'no idle measurement');
      else per.fail(e.name, `engine did not start: ${e.broken}`);
      continue;
    }
    await attempt(ctx, per, e, async () => {
      try {
        await startDetached(e, 50, 10, ['--network', 'none']);
        await expectRunning(e, 50);
        await sleep(2000);
        const s = await memSamples(e, 3);
        for (const m of s) per.add(e.name, (m.totalKiB / 1024 - base) / 50);
        per.details[e.name] = { with50: summary(s[s.length - 1]) };
      } finally {
        await tidy(ctx, e);
      }
    });
  }
  return [idle, per];
}

/** In the order they run; `mem` first, so "idle" means a freshly started daemon. */
/**
 * What network set-up adds to `docker run --rm busybox true`: each sample is one run on the
 * default bridge minus the run with --network none right after it (same engine, same moment).
 */
async function netOverhead(ctx) {
  const row = new Row({ id: 'net-overhead', title: 'bridge minus none, docker run --rm', unit: 'ms', better: 'lower', target: { op: '<=', factor: 15, basis: 'absolute', unit: 'ms' } });
  for (let i = 0; i < ctx.runs; i++) {
    for (const e of order(ctx.engines, i)) {
      await attempt(ctx, row, e, async () => {
        const pair = i % 2 ? [['--network', 'none'], []] : [[], ['--network', 'none']];
        const ms = {};
        for (const extra of pair) ms[extra.length ? 'none' : 'bridge'] = must(await e.cli(['run', '--rm', ...extra, 'busybox', 'true']), 'docker run --rm').ms;
        row.add(e.name, ms.bridge - ms.none);
      });
    }
  }
  for (const e of ctx.engines) await tidy(ctx, e);
  return [row];
}

/**
 * What the default seccomp profile costs a start: `docker run --rm --network none busybox true`
 * minus the same with `--security-opt seccomp=unconfined`, paired run by run (order alternating).
 * --network none keeps the network set-up's noise out of the difference.
 */
async function seccompOverhead(ctx) {
  const row = new Row({ id: 'seccomp-overhead', title: 'default seccomp minus unconfined, docker run --rm', unit: 'ms', better: 'lower', target: { op: '<=', factor: 10, basis: 'absolute', unit: 'ms' } });
  const unconfined = ['--security-opt', 'seccomp=unconfined'];
  for (const e of ctx.engines) await attempt(ctx, row, e, async () => must(await e.cli(['run', '--rm', '--network', 'none', 'busybox', 'true']), 'warm-up'));
  for (let i = 0; i < ctx.runs; i++) {
    for (const e of order(ctx.engines, i)) {
      await attempt(ctx, row, e, async () => {
        const pair = i % 2 ? [unconfined, []] : [[], unconfined];
        const ms = {};
        for (const extra of pair) ms[extra.length ? 'unconfined' : 'default'] = must(await e.cli(['run', '--rm', '--network', 'none', ...extra, 'busybox', 'true']), 'docker run --rm').ms;
        row.add(e.name, ms.default - ms.unconfined);
      });
    }
  }
  for (const e of ctx.engines) await tidy(ctx, e);
  return [row];
}

/**
 * TCP throughput through a published port over the same stream to the container's own address:
 * a 1 GiB download from busybox httpd (sendfile from a tmpfs) with curl, through the host's address
 * and through 127.0.0.1 (DNAT in the kernel, no proxy), interleaved with the direct download. One
 * stream moves ~2 GB/s here, so a shorter one is over in ~0.1 s and curl's start-up noise swamps it.
 * berthd only: the bench's dockerd runs without iptables, its published ports go through
 * docker-proxy (a userland copy) by construction.
 */
async function tcpPublish(ctx) {
  const row = new Row({ id: 'tcp-publish', title: 'TCP via published port / direct (berthd)', unit: '×', better: 'higher', target: { op: '>=', factor: 0.9, basis: 'absolute' } });
  const e = ctx.engines.find((x) => x.name === 'berthd');
  if (!e) return [row];
  await attempt(ctx, row, e, async () => {
    try {
      const id = must(await e.cli(['run', '-d', '-p', '80', '--tmpfs', '/srv:size=1100m', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/srv/big bs=1M count=1024 2>/dev/null; exec httpd -f -p 80 -h /srv']), 'run source').stdout.trim();
      const insp = JSON.parse(must(await e.cli(['inspect', id]), 'inspect').stdout)[0];
      const ip = insp.NetworkSettings.IPAddress;
      const hostPort = insp.NetworkSettings.Ports['80/tcp'][0].HostPort;
      const hostIp = primaryAddress();
      const speed = async (url) => {
        for (let i = 0; i < 50; i++) {
          const r = await run('curl', ['-sf', '-o', '/dev/null', '-w', '%{speed_download}', url]);
          if (r.code === 0) return Number(r.stdout);
          await sleep(100);
        }
        throw new Error(`curl ${url} failed`);
      };
      await speed(`http://${ip}/big`);
      const runs = Math.max(5, Math.min(11, ctx.runs));
      const loop = [];
      for (let i = 0; i < runs; i++) {
        // ABBA order, so a drift in machine load does not favour one path.
        const urls = { direct: `http://${ip}/big`, published: `http://${hostIp}:${hostPort}/big`, loopback: `http://127.0.0.1:${hostPort}/big` };
        const got = {};
        for (const k of order(['direct', 'published', 'loopback'], i)) got[k] = await speed(urls[k]);
        const { direct, published, loopback } = got;
        row.add('berthd', published / direct);
        loop.push(loopback / direct);
        row.details[`run${i}`] = { directMiBps: Math.round(direct / 1048576), publishedMiBps: Math.round(published / 1048576), loopbackMiBps: Math.round(loopback / 1048576) };
      }
      row.details.loopbackRatioMedian = median(loop);
      row.details.via = `host address ${hostIp}`;
    } finally {
      await tidy(ctx, e);
    }
  });
  return [row];
}

function primaryAddress() {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !/^10\.(2[0-3]\d)\./.test(a.address)) return a.address;
  }
  return '127.0.0.1';
}

export const SCENARIOS = {
  mem,
  'run-rm': runRm('run-rm', 'docker run --rm busybox true', []),
  'run-rm-none': runRm('run-rm-none', 'docker run --rm --network none', ['--network', 'none']),
  api,
  crun,
  ps,
  start50: start50('start50', '50 detached starts, 10 at a time', []),
  'start50-none': start50('start50-none', '50 detached starts --network none', ['--network', 'none']),
  'start50-ports': start50('start50-ports', '50 detached starts with -p 80 (random host port)', ['-p', '80']),
  'net-overhead': netOverhead,
  'tcp-publish': tcpPublish,
  'seccomp-overhead': seccompOverhead,
  logs,
};

export const ALIASES = { run: ['run-rm', 'run-rm-none'], start: ['start50', 'start50-none'], net: ['net-overhead', 'tcp-publish', 'start50-ports'], memory: ['mem'], floor: ['crun'], seccomp: ['seccomp-overhead'] };
