#!/usr/bin/env node
// Issue 5 target: `docker volume ls` with 1000 volumes takes <= 1x the time it takes against
// dockerd.
//
//   node bench/volume-ls.mjs [--runs N] [--volumes N]     (as root, after node scripts/build.mjs)
//
// Starts a private dockerd and a private berthd (as bench/run.mjs does), creates the volumes
// through the API on both (10 in flight), then times the real docker CLI's `volume ls`
// (spawn to exit), alternating the engines run by run, and prints the medians and the ratio
// berthd/dockerd. Everything is removed at the end.
import { mkdtempSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Berthd, Dockerd } from './lib/engines.mjs';
import { sweep, writeState } from './lib/cleanup.mjs';
import { must, pool } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : def; };
const runs = opt('--runs', 15);
const count = opt('--volumes', 1000);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(count) || count < 1) {
  console.error('usage: node bench/volume-ls.mjs [--runs N] [--volumes N]');
  process.exit(2);
}

const work = mkdtempSync('/var/tmp/berth-bench-vls-');
const runId = work.split('-').pop();
const engines = [new Dockerd(work, runId), new Berthd(work, runId, { script: join(repo, 'dist/berthd.js'), runtime: 'crun' })];
const state = () => ({
  ownerPid: process.pid, work, bridges: [engines[0].bridge], cgroups: engines.map((e) => e.cgroupParent), hostFilesBefore: {},
});
writeState(work, state());
let code = 0;
try {
  for (const e of engines) {
    await e.start();
    await pool(count, 10, (i) => e.api.call('POST', '/volumes/create', { Name: `berth-bench-v${String(i).padStart(4, '0')}` }));
    const r = must(await e.cli(['volume', 'ls', '-q']), `${e.name}: volume ls`);
    const n = r.stdout.trim().split('\n').length;
    if (n !== count) throw new Error(`${e.name}: volume ls lists ${n} volumes, expected ${count}`);
  }
  const times = new Map(engines.map((e) => [e.name, []]));
  for (const e of engines) must(await e.cli(['volume', 'ls']), `${e.name}: warm-up`);
  for (let i = 0; i < runs; i++) {
    for (const e of i % 2 ? [...engines].reverse() : engines) {
      const t0 = process.hrtime.bigint();
      must(await e.cli(['volume', 'ls']), `${e.name}: volume ls`);
      times.get(e.name).push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  // The daemon's share alone: GET /volumes over the socket, same alternation.
  const apiTimes = new Map(engines.map((e) => [e.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const e of i % 2 ? [...engines].reverse() : engines) {
      const t0 = process.hrtime.bigint();
      await e.api.call('GET', '/volumes');
      apiTimes.get(e.name).push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const d = median(times.get('dockerd'));
  const b = median(times.get('berthd'));
  console.log(`docker volume ls with ${count} volumes, median of ${runs} (CLI spawn to exit):`);
  console.log(`  dockerd ${engines[0].version}  ${d.toFixed(1)} ms`);
  console.log(`  berthd          ${b.toFixed(1)} ms`);
  console.log(`  ratio berthd/dockerd: ${(b / d).toFixed(3)} (target <= 1): ${b <= d ? 'MET' : 'NOT MET'}`);
  const da = median(apiTimes.get('dockerd'));
  const ba = median(apiTimes.get('berthd'));
  console.log(`  GET /volumes alone: dockerd ${da.toFixed(1)} ms, berthd ${ba.toFixed(1)} ms (ratio ${(ba / da).toFixed(3)})`);
  // dockerd 20.10 (API 1.41) prunes named volumes too without --all, which it does not know.
  for (const e of engines) must(await e.cli(['volume', 'prune', '-f', ...(e.name === 'berthd' ? ['--all'] : [])]), `${e.name}: volume prune`);
} catch (err) {
  console.error(`bench failed: ${err.message}`);
  code = 1;
} finally {
  for (const e of engines) for (const note of await e.stop().catch((x) => [x.message])) console.error(note);
  for (const note of await sweep(state()).catch((x) => [x.message])) console.error(note);
}
process.exit(code);
