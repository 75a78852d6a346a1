#!/usr/bin/env node
// Build benchmark: the classic builder (docker CLI 28 with DOCKER_BUILDKIT=0, POST /build) on
// berthd and on Debian's dockerd, in the same run, with a 10-instruction Dockerfile:
//   cold     --no-cache build (every step runs)
//   cached   a rebuild with nothing changed (every step a cache hit)
//   onefile  a rebuild after changing the second copied file (only the steps from it run)
//   floor    `docker version` (not a target: the CLI's own start-up and one round trip, the part
//            of every figure above that no engine can remove; a cached rebuild is close to it)
// Prints each median (ms) and the ratio berthd/dockerd. Both engines run side by side and the
// runs are interleaved (run i of dockerd, then run i of berthd, …), so a host whose load changes
// during the bench weighs on both alike. Engines, cleanup and host hygiene are bench/lib's (see
// bench/README.md). Usage: node bench/build.mjs [--runs N] [--engine E]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setUpEngines } from './lib/setup.mjs';
import { loadavg, must, run } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, '..');
const log = (msg) => process.stderr.write(`[build-bench] ${msg}\n`);

function args(argv) {
  const o = { runs: 5, engine: 'both' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--engine') o.engine = argv[++i];
    else { console.error(`usage: node bench/build.mjs [--runs N] [--engine dockerd|berthd|both]`); process.exit(2); }
  }
  return o;
}

const DOCKERFILE = `FROM busybox:latest
ENV APP=/srv/app MODE=bench
WORKDIR /srv/app
COPY a.txt ./
RUN mkdir -p data && cp a.txt data/a.copy
COPY b.txt ./
RUN cat a.txt b.txt > data/ab && ls -l data > data/listing
LABEL org.example.bench=build
EXPOSE 8080
CMD ["cat", "/srv/app/data/ab"]
`;

async function timed(e, argv) {
  const t0 = performance.now();
  must(await e.cli(argv, { timeoutMs: 300_000, env: { ...e.cliEnv, DOCKER_BUILDKIT: '0' } }), `${e.name}: docker ${argv.join(' ')}`);
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
    // One context per engine: the one-file change of one engine must not touch the other's.
    const ctxOf = new Map();
    for (const e of engines) {
      const ctx = join(work, `ctx-${e.name}`);
      mkdirSync(ctx);
      writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
      writeFileSync(join(ctx, 'a.txt'), 'a'.repeat(4096));
      writeFileSync(join(ctx, 'b.txt'), 'b0');
      ctxOf.set(e, ctx);
    }
    for (const e of engines) {
      log(`starting ${e.name}`);
      await env.start(e);
      await e.importImage(tar);
      results[e.name] = { cold: [], cached: [], onefile: [], floor: [] };
      await timed(e, ['build', '-q', '-t', 'bench-build', ctxOf.get(e)]); // warm-up (page cache, first image)
    }
    for (let i = 0; i < o.runs; i++) {
      for (const e of engines) {
        const r = results[e.name];
        const ctx = ctxOf.get(e);
        r.cold.push(await timed(e, ['build', '-q', '--no-cache', '-t', 'bench-build', ctx]));
        r.cached.push(await timed(e, ['build', '-q', '-t', 'bench-build', ctx]));
        writeFileSync(join(ctx, 'b.txt'), `b${i + 1}-${e.name}`);
        r.onefile.push(await timed(e, ['build', '-q', '-t', 'bench-build', ctx]));
        r.floor.push(await timed(e, ['version']));
      }
    }
    for (const e of engines) {
      const r = results[e.name];
      const check = await e.cli(['run', '--rm', '--network', 'none', 'bench-build']);
      if (!check.stdout.startsWith('aaaa')) throw new Error(`${e.name}: built image does not run as expected: ${check.stdout.slice(0, 80)} ${check.stderr}`);
      log(`  ${e.name}: cold ${median(r.cold).toFixed(0)} ms, cached ${median(r.cached).toFixed(0)} ms, onefile ${median(r.onefile).toFixed(0)} ms (load ${loadavg()})`);
    }
  } finally {
    await env.close();
  }
  console.log('\nscenario   dockerd ms   berthd ms   berthd/dockerd');
  for (const s of ['cold', 'cached', 'onefile', 'floor']) {
    const d = results.dockerd ? median(results.dockerd[s]) : NaN;
    const b = results.berthd ? median(results.berthd[s]) : NaN;
    console.log(`${s.padEnd(10)} ${d.toFixed(0).padStart(10)}   ${b.toFixed(0).padStart(9)}   ${(b / d).toFixed(2).padStart(14)}`);
  }
  console.log(`(medians of ${o.runs} runs each; load ${loadavg()})`);
  return 0;
}

main().then((c) => process.exit(c), (err) => { console.error(err); process.exit(1); });
