#!/usr/bin/env node
// docker commit of a container with a 50 MB change: berthd against Debian's dockerd, in the
// same run, interleaved run by run, both driven by the real docker CLI (issue 3 target:
// berthd's time ≤ 0.5× dockerd's).
//
//   node bench/commit.mjs [--runs N] [--mb 50] [--engine both|berthd|dockerd]
//
// Each run starts `busybox sh` that writes --mb MB of random bytes in 10 files under /data
// (and deletes /etc/hostname's neighbour /etc/shadow-, if any: a whiteout), waits until
// it is done, then times `docker commit <c> berth-bench/commit:<run>` (running container,
// paused as by default). The committed layer's size is checked; the image and container are
// removed (untimed). Engines, cleanup and host hygiene are bench/lib's (bench/README.md).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg, must, run } from './lib/proc.mjs';
import { median } from './lib/report.mjs';
import { setUpEngines } from './lib/setup.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[commit-bench] ${msg}\n`);

function args(argv) {
  const o = { runs: 5, mb: 50, engine: 'both' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--mb') o.mb = Number(argv[++i]);
    else if (argv[i] === '--engine') o.engine = argv[++i];
    else { console.error('usage: node bench/commit.mjs [--runs N] [--mb SIZE] [--engine dockerd|berthd|both]'); process.exit(2); }
  }
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const o = args(process.argv.slice(2));
  if (process.getuid?.() !== 0) { console.error('run as root'); return 2; }
  const env = await setUpEngines({ engine: o.engine, log });
  const { work, engines } = env;
  const samples = Object.fromEntries(engines.map((e) => [e.name, []]));
  const loads = [];
  try {
    const tar = join(work, 'busybox.tar');
    must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'busybox rootfs');
    for (const e of engines) {
      log(`starting ${e.name}`);
      await env.start(e);
      await e.importImage(tar);
    }
    const per = Math.floor((o.mb * 1024 * 1024) / 10);
    const script = `mkdir /data && for i in 0 1 2 3 4 5 6 7 8 9; do head -c ${per} /dev/urandom > /data/f$i; done; rm -f /bin/vi; touch /data/ready; exec sleep 600`;
    for (let r = 0; r <= o.runs; r++) {
      for (const e of r % 2 ? [...engines].reverse() : engines) {
        const name = `berth-bench-commit-${r}`;
        const image = `berth-bench/commit:${r}`;
        must(await e.cli(['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sh', '-c', script]), `${e.name}: run`);
        for (let i = 0; ; i++) {
          if ((await e.cli(['exec', name, 'test', '-f', '/data/ready'])).code === 0) break;
          if (i > 600) throw new Error(`${e.name}: the container did not write its data`);
          await sleep(100);
        }
        await run('sync', []);
        const t0 = performance.now();
        must(await e.cli(['commit', name, image], { timeoutMs: 300_000 }), `${e.name}: commit`);
        const ms = performance.now() - t0;
        const hist = must(await e.cli(['history', '--no-trunc', '--format', '{{.Size}}', image]), `${e.name}: history`);
        must(await e.cli(['rm', '-f', name]), `${e.name}: rm`);
        must(await e.cli(['rmi', image]), `${e.name}: rmi`);
        const top = (hist.stdout ?? '').split('\n')[0];
        if (r > 0) samples[e.name].push(ms);
        log(`run ${r}${r === 0 ? ' (warm-up)' : ''} ${e.name}: ${ms.toFixed(0)} ms (layer ${top}, load ${loadavg()})`);
      }
      loads.push(loadavg());
    }
  } finally {
    await env.close();
  }
  const d = samples.dockerd ? median(samples.dockerd) : NaN;
  const b = samples.berthd ? median(samples.berthd) : NaN;
  console.log(JSON.stringify({ mb: o.mb, runs: o.runs, samples, loads }, null, 2));
  console.log(`\ndocker commit of a running container with a ${o.mb} MB change (median of ${o.runs}):`);
  console.log(`  dockerd ${d.toFixed(0).padStart(6)} ms\n  berthd  ${b.toFixed(0).padStart(6)} ms\n  berthd/dockerd = ${(b / d).toFixed(2)}× (target ≤ 0.5×); load ${loadavg()}`);
  return 0;
}

main().then((c) => process.exit(c), (err) => { console.error(err); process.exit(1); });
