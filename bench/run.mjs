#!/usr/bin/env node
// berth benchmark: the same scenarios against berthd and Debian's dockerd in one run; prints each
// median and the ratio berthd/dockerd, and writes bench/results/latest.json. See bench/README.md.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Berthd, DOCKER_CLI, Dockerd } from './lib/engines.mjs';
import { Floor } from './lib/floor.mjs';
import { fullSnapshot, leftovers, removeDockerdHostFiles } from './lib/host.mjs';
import { inFlight, loadavg, must, run } from './lib/proc.mjs';
import { evaluate, median, table } from './lib/report.mjs';
import { ALIASES, Aborted, SCENARIOS } from './lib/scenarios.mjs';
import { sweep, sweepStale, writeState } from './lib/cleanup.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, '..');

const USAGE = `usage: node bench/run.mjs [options]
  --only LIST        comma-separated scenarios: ${Object.keys(SCENARIOS).join(', ')}
                     (aliases: run, start, memory, floor); default: all
  --runs N           runs per latency scenario (default 20); batch scenarios use min(N, 3)
  --engine E         dockerd | berthd | both (default both)
  --runtime R        crun | runc: berthd --runtime and the floor (default crun)
  --berthd PATH      berthd script (default dist/berthd.js)
  --berthd-arg ARG   extra argument for berthd (repeatable)
  --out PATH         JSON output (default bench/results/latest.json); --no-json to skip
  --cleanup          only clean up after earlier runs that were killed, then exit`;

function parseArgs(argv) {
  const o = { only: null, runs: 20, engine: 'both', runtime: 'crun', berthd: join(repo, 'dist/berthd.js'), berthdArgs: [], out: join(benchDir, 'results/latest.json'), cleanupOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--only') o.only = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--engine') o.engine = val();
    else if (a === '--runtime') o.runtime = val();
    else if (a === '--berthd') o.berthd = resolve(val());
    else if (a === '--berthd-arg') o.berthdArgs.push(val());
    else if (a === '--out') o.out = resolve(val());
    else if (a === '--no-json') o.out = null;
    else if (a === '--cleanup') o.cleanupOnly = true;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else die(`unknown option ${a}\n${USAGE}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  if (!['dockerd', 'berthd', 'both'].includes(o.engine)) die('--engine must be dockerd, berthd or both');
  if (!['crun', 'runc'].includes(o.runtime)) die('--runtime must be crun or runc');
  const all = Object.keys(SCENARIOS);
  const wanted = new Set((o.only ?? all).flatMap((s) => ALIASES[s] ?? [s]));
  for (const s of wanted) if (!all.includes(s)) die(`unknown scenario ${s}; known: ${all.join(', ')}`);
  if (wanted.has('api')) wanted.delete('crun'); // the floor is measured inside api, interleaved
  o.scenarios = all.filter((s) => wanted.has(s));
  return o;
}

function die(msg) {
  console.error(msg);
  process.exit(2);
}

const t0 = Date.now();
const log = (msg) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

async function versions() {
  const first = async (cmd, args) => {
    const r = await run(cmd, args, { timeoutMs: 10_000 });
    return r.code === 0 ? r.stdout.trim().split('\n')[0] : null;
  };
  return {
    node: process.version,
    dockerCli: await first(DOCKER_CLI, ['--version']),
    dockerd: await first('/usr/sbin/dockerd', ['--version']),
    containerd: await first('containerd', ['--version']),
    crun: await first('crun', ['--version']),
    runc: await first('runc', ['--version']),
    berthCommit: await first('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) die('the bench runs daemons and containers: run it as root');
  await sweepStale(log);
  if (opts.cleanupOnly) return 0;

  const before = await fullSnapshot();
  const work = mkdtempSync('/var/tmp/berth-bench-');
  const runId = basename(work).slice('berth-bench-'.length);
  const engines = [];
  if (opts.engine !== 'berthd') engines.push(new Dockerd(work, runId));
  if (opts.engine !== 'dockerd') engines.push(new Berthd(work, runId, { script: opts.berthd, runtime: opts.runtime, extraArgs: opts.berthdArgs }));
  const floor = opts.scenarios.some((s) => s === 'api' || s === 'crun') ? new Floor(work, runId, opts.runtime) : null;
  const state = () => ({
    ownerPid: process.pid,
    work,
    engines: engines.map((e) => e.state()),
    bridges: engines.filter((e) => e.bridge).map((e) => e.bridge),
    cgroups: [...engines.map((e) => e.cgroupParent), ...(floor ? [floor.cgroupParent] : [])],
    hostFilesBefore: before.files,
  });
  writeState(work, state());

  const ctx = {
    engines,
    runs: opts.runs,
    floor: null,
    floorResult: { title: `${opts.runtime} run true (floor)`, samples: [], error: null, fails: 0 },
    aborted: false,
    log,
    checkAbort() {
      if (this.aborted) throw new Aborted('aborted');
    },
  };

  let cleaning = null;
  const cleanup = () => {
    cleaning ??= (async () => {
      const notes = [];
      const results = await Promise.allSettled(engines.map((e) => e.stop()));
      for (const r of results) {
        if (r.status === 'fulfilled') notes.push(...r.value);
        else notes.push(`stopping an engine: ${r.reason?.message ?? r.reason}`);
      }
      notes.push(...(await sweep(state())));
      if (engines.some((e) => e.name === 'dockerd')) notes.push(...removeDockerdHostFiles(before));
      const left = await leftovers(before);
      return { notes, leftovers: left };
    })();
    return cleaning;
  };
  const onSignal = async (sig) => {
    if (ctx.aborted) {
      log(`${sig}: cleanup is already running, please wait`);
      return;
    }
    ctx.aborted = true;
    log(`${sig}: stopping the daemons and cleaning up…`);
    for (const c of inFlight) c.kill('SIGKILL');
    const { notes, leftovers: left } = await cleanup();
    for (const n of notes) log(`  ${n}`);
    for (const l of left) log(`  host change still present (may be someone else's): ${l}`);
    process.exit(130);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal);
  process.on('uncaughtException', async (err) => {
    log(`uncaught: ${err.stack ?? err}`);
    ctx.aborted = true;
    await cleanup();
    process.exit(1);
  });

  const meta = {
    startedAt: new Date().toISOString(),
    host: { kernel: release(), cpus: cpus().length, memTotalMiB: Math.round(totalmem() / 1048576) },
    loadavgStart: loadavg(),
    options: { runs: opts.runs, engine: opts.engine, runtime: opts.runtime, scenarios: opts.scenarios },
    versions: await versions(),
  };
  log(`work dir ${work}; load ${meta.loadavgStart}; scenarios: ${opts.scenarios.join(', ')}; runs ${opts.runs}`);

  let rows = [];
  const perScenarioLoad = {};
  let crashed = null;
  try {
    const tar = join(work, 'busybox.tar');
    must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'scripts/busybox-rootfs.sh');
    for (const e of engines) {
      log(`starting ${e.name}`);
      try {
        await e.start();
        writeState(work, state());
        await e.importImage(tar);
        must(await e.cli(['run', '--rm', '--network', 'none', 'busybox', 'true']), `${e.name}: warm-up run`);
        log(`  ${e.name} ${e.version} (API ${e.apiVersion}) up, busybox imported`);
      } catch (err) {
        ctx.checkAbort();
        const [first, ...rest] = String(err.message ?? err).split('\n');
        const tail = rest.filter((l) => l.trim() && !/^log:$/.test(l.trim())).slice(-3).join(' | ');
        e.broken = `${first.replace(/; log:$/, '')}${tail ? ` — log: ${tail}` : ''}`.slice(0, 600);
        log(`  ${e.name} unusable: ${err.message}`);
      } finally {
        writeState(work, state());
      }
    }
    if (floor) {
      try {
        await floor.prepare(tar);
        ctx.floor = floor;
      } catch (err) {
        ctx.floorResult.error = String(err.message ?? err).slice(0, 400);
        log(`  floor unusable: ${ctx.floorResult.error}`);
      }
    }
    for (const id of opts.scenarios) {
      perScenarioLoad[id] = loadavg();
      log(`scenario ${id} (load ${perScenarioLoad[id]})`);
      rows.push(...(await SCENARIOS[id](ctx)));
    }
  } catch (err) {
    if (ctx.aborted) return new Promise(() => {}); // the signal handler finishes and exits
    crashed = err;
    log(`bench failed: ${err.stack ?? err}`);
  }
  meta.loadavgEnd = loadavg();
  meta.finishedAt = new Date().toISOString();

  const names = engines.map((e) => e.name);
  const results = evaluate(rows, median(ctx.floorResult.samples), names);
  const floorOut = floor ? { title: `${opts.runtime} run true (floor)`, runtime: floor.version, median: median(ctx.floorResult.samples), n: ctx.floorResult.samples.length, samples: ctx.floorResult.samples.map((x) => Math.round(x * 100) / 100), error: ctx.floorResult.error } : null;
  console.log('');
  console.log(table(results, floorOut));
  console.log('');
  console.log(`load average: start ${meta.loadavgStart} | end ${meta.loadavgEnd}  (${meta.host.cpus} CPUs)`);
  for (const e of engines) {
    const died = e.exited && !e.broken ? ` — DIED ${JSON.stringify(e.exited)}, noticed in ${e.diedDuring ?? "the run"}` : '';
    console.log(`${e.name}: ${e.broken ? `NOT RUN: ${e.broken}` : `${e.version}, API ${e.apiVersion}${died}`}`);
  }

  log('cleaning up');
  const { notes, leftovers: left } = await cleanup();
  for (const n of notes) log(`  ${n}`);
  for (const l of left) log(`  host change still present (may be someone else's): ${l}`);

  if (opts.out) {
    const doc = {
      ...meta,
      engines: engines.map((e) => ({ name: e.name, version: e.version, apiVersion: e.apiVersion, args: e.args, error: e.broken, diedDuring: e.diedDuring ?? null, exitedDuringRun: e.diedDuring ? e.exited : null })),
      perScenarioLoad,
      results,
      floor: floorOut,
      crashed: crashed ? String(crashed.stack ?? crashed) : null,
      cleanup: { notes, leftovers: left },
    };
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(doc, null, 2) + '\n');
    log(`wrote ${opts.out}`);
  }
  return crashed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
