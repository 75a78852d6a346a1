#!/usr/bin/env node
// Container filesystem benchmark: `docker cp` and `docker export` on berthd and on Debian's
// dockerd, in the same run, with one file of --mb MB (random bytes):
//   cp-in          local file -> a running container's /tmp
//   cp-out         that file back out of the running container
//   cp-out-stopped the same from the stopped container (rootfs mounted for the copy)
//   export         `docker export` of the stopped container to a file
// Prints each median (ms) and the ratio berthd/dockerd. Engines, cleanup and host hygiene are
// bench/lib's (see bench/README.md). Usage: node bench/cp.mjs [--runs N] [--mb SIZE] [--engine E]
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setUpEngines } from './lib/setup.mjs';
import { loadavg, must, run } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[cp-bench] ${msg}\n`);
const SCENARIOS = ['cp-in', 'cp-out', 'cp-out-stopped', 'export'];

function args(argv) {
  const o = { runs: 5, mb: 200, engine: 'both' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--mb') o.mb = Number(argv[++i]);
    else if (argv[i] === '--engine') o.engine = argv[++i];
    else { console.error('usage: node bench/cp.mjs [--runs N] [--mb SIZE] [--engine dockerd|berthd|both]'); process.exit(2); }
  }
  return o;
}

async function timed(e, argv) {
  const t0 = performance.now();
  must(await e.cli(argv, { timeoutMs: 300_000 }), `${e.name}: docker ${argv.join(' ')}`);
  return performance.now() - t0;
}

async function main() {
  const o = args(process.argv.slice(2));
  if (process.getuid?.() !== 0) { console.error('run as root'); return 2; }
  const env = await setUpEngines({ engine: o.engine, log });
  const { work, engines } = env;
  const results = {};
  try {
    const tar = join(work, 'busybox.tar');
    must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'busybox rootfs');
    const file = join(work, 'payload');
    must(await run('bash', ['-c', `head -c ${o.mb * 1024 * 1024} /dev/urandom > ${file}`]), 'payload');
    for (const e of engines) {
      log(`starting ${e.name}`);
      await env.start(e);
      await e.importImage(tar);
      const r = Object.fromEntries(SCENARIOS.map((s) => [s, []]));
      for (let i = 0; i < o.runs; i++) {
        const name = `berth-bench-cp-${i}`;
        must(await e.cli(['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']), `${e.name}: run`);
        r['cp-in'].push(await timed(e, ['cp', file, `${name}:/tmp/payload`]));
        const out = join(work, `out-${e.name}-${i}`);
        r['cp-out'].push(await timed(e, ['cp', `${name}:/tmp/payload`, out]));
        must(await run('cmp', [file, out]), `${e.name}: copied file differs`);
        rmSync(out);
        must(await e.cli(['stop', '-t', '0', name]), `${e.name}: stop`);
        r['cp-out-stopped'].push(await timed(e, ['cp', `${name}:/tmp/payload`, out]));
        rmSync(out);
        r.export.push(await timed(e, ['export', '-o', out, name]));
        rmSync(out);
        must(await e.cli(['rm', '-f', name]), `${e.name}: rm`);
      }
      results[e.name] = r;
      log(`  ${e.name}: ${SCENARIOS.map((s) => `${s} ${median(r[s]).toFixed(0)} ms`).join(', ')} (load ${loadavg()})`);
    }
  } finally {
    await env.close();
  }
  console.log(`\n${o.mb} MB      dockerd ms   berthd ms   berthd/dockerd`);
  for (const s of SCENARIOS) {
    const d = results.dockerd ? median(results.dockerd[s]) : NaN;
    const b = results.berthd ? median(results.berthd[s]) : NaN;
    console.log(`${s.padEnd(15)} ${d.toFixed(0).padStart(8)}   ${b.toFixed(0).padStart(9)}   ${(b / d).toFixed(2).padStart(14)}`);
  }
  console.log(`(medians of ${o.runs} runs each; load ${loadavg()})`);
  return 0;
}

main().then((c) => process.exit(c), (err) => { console.error(err); process.exit(1); });
