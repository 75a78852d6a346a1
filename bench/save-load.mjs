#!/usr/bin/env node
// docker load and docker save of a ~200 MB image of 5 layers of incompressible data: berthd
// against dockerd (Debian's 20.10, private, as in run.mjs), both driven by the real docker CLI,
// and the floor of a load: sha256 of each layer blob plus `tar -x` of it, the blobs one after
// the other as they come in an archive, timed in the same run.
//
//   node bench/save-load.mjs [--runs N] [--size-mb 200] [--engine both|berthd|dockerd]
//
// The archive is made here (Docker archive: manifest.json, config, uncompressed layer tars).
// Everything lives under the run's work dir /var/tmp/berth-bench-* (bench/lib/setup.mjs), removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpEngines } from './lib/setup.mjs';
import { must } from './lib/proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: o } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, 'size-mb': { type: 'string', default: '200' }, engine: { type: 'string', default: 'both' },
} });
const RUNS = Number(o.runs);
const LAYERS = 5;
const log = (...a) => console.error('[save-load-bench]', ...a);
const env = await setUpEngines({ engine: o.engine, log: (...a) => log(...a) });
const work = env.work;
const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
async function timed(fn) { const t0 = performance.now(); await fn(); return performance.now() - t0; }

/** A layer tar of ~sizeMb of random files (incompressible), written to a file; returns its path and digest. */
function makeLayer(i, sizeMb) {
  const dir = join(work, `layer${i}`);
  mkdirSync(join(dir, `opt/layer${i}`), { recursive: true });
  const files = 20;
  const per = Math.floor((sizeMb * 1024 * 1024) / files);
  for (let f = 0; f < files; f++) writeFileSync(join(dir, `opt/layer${i}/file${f}.bin`), randomBytes(per));
  const tar = spawnSync('tar', ['-c', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 30 }).stdout;
  rmSync(dir, { recursive: true, force: true });
  const path = join(work, `layer${i}.tar`);
  writeFileSync(path, tar);
  return { path, digest: sha(tar), size: tar.length };
}

/** The floor: each blob streamed through sha256 into `tar -x`, one after the other. */
async function floor(layers) {
  const dir = join(work, 'floor');
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  for (const [i, l] of layers.entries()) {
    await new Promise((res, rej) => {
      const target = join(dir, String(i));
      mkdirSync(target, { recursive: true });
      const tar = spawn('tar', ['-x', '-C', target, '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
      const h = createHash('sha256');
      const s = createReadStream(l.path, { highWaterMark: 1 << 20 });
      s.on('data', (c) => h.update(c));
      s.pipe(tar.stdin);
      tar.on('close', (code) => { h.digest('hex'); code === 0 ? res() : rej(new Error(`tar ${code}`)); });
    });
  }
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/berthd.js'))) throw new Error('build first: node scripts/build.mjs');
  const sizeMb = Number(o['size-mb']) / LAYERS;
  log(`making ${LAYERS} layers of ${sizeMb} MB`);
  const layers = Array.from({ length: LAYERS }, (_, i) => makeLayer(i, sizeMb));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, history: layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'bench' })) }));
  const image = 'berth-bench/saveload:v1';
  // The archive: built with tar from a directory of the blobs (hard links, no copies of the layers).
  const adir = join(work, 'archive');
  mkdirSync(join(adir, 'blobs/sha256'), { recursive: true });
  for (const l of layers) spawnSync('ln', [l.path, join(adir, 'blobs/sha256', l.digest.slice(7))]);
  writeFileSync(join(adir, 'blobs/sha256', sha(config).slice(7)), config);
  writeFileSync(join(adir, 'manifest.json'), JSON.stringify([{ Config: `blobs/sha256/${sha(config).slice(7)}`, RepoTags: [image], Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]));
  const archive = join(work, 'image.tar');
  must(spawnSync('tar', ['-c', '-f', archive, '-C', adir, 'blobs', 'manifest.json'], { encoding: 'utf8' }).status === 0 ? { code: 0 } : { code: 1, stderr: 'tar' }, 'archive');
  rmSync(adir, { recursive: true, force: true });
  const total = statSync(archive).size;
  log(`archive ${(total / 1e6).toFixed(1)} MB`);

  const engines = env.engines;
  const res = { load: {}, save: {}, floor: [] };
  const saved = join(work, 'saved.tar');
  {
    for (const e of engines) { await env.start(e); res.load[e.name] = []; res.save[e.name] = []; }
    for (let run = 0; run <= RUNS; run++) {
      for (const e of run % 2 ? [...engines].reverse() : engines) {
        spawnSync('sync');
        const lms = await timed(async () => must(await e.cli(['load', '-q', '-i', archive], { timeoutMs: 600_000 }), `${e.name} load`));
        spawnSync('sync');
        const sms = await timed(async () => must(await e.cli(['save', '-o', saved, image], { timeoutMs: 600_000 }), `${e.name} save`));
        rmSync(saved, { force: true });
        must(await e.cli(['rmi', image]), `${e.name} rmi`);
        if (run > 0) { res.load[e.name].push(lms); res.save[e.name].push(sms); }
        log(`run ${run}${run === 0 ? ' (warm-up)' : ''} ${e.name}: load ${lms.toFixed(0)} ms, save ${sms.toFixed(0)} ms`);
      }
      spawnSync('sync');
      const f = await floor(layers);
      if (run > 0) res.floor.push(f);
      log(`run ${run} floor: ${f.toFixed(0)} ms`);
    }
  }
  const mbps = (ms) => (total / 1e6) / (ms / 1000);
  const out = { archiveBytes: total, runs: RUNS, load: {}, save: {}, floorMs: median(res.floor) };
  for (const [k, v] of Object.entries(res.load)) out.load[k] = { medianMs: median(v), MBps: mbps(median(v)), samples: v };
  for (const [k, v] of Object.entries(res.save)) out.save[k] = { medianMs: median(v), MBps: mbps(median(v)), samples: v };
  console.log(JSON.stringify(out, null, 2));
  const l = out.load; const s = out.save;
  console.log(`\ndocker load of ${(total / 1e6).toFixed(0)} MB (${LAYERS} layers), median of ${RUNS}:`);
  for (const k of Object.keys(l)) console.log(`  ${k.padEnd(8)} ${l[k].medianMs.toFixed(0).padStart(6)} ms  ${l[k].MBps.toFixed(1)} MB/s`);
  console.log(`  floor    ${out.floorMs.toFixed(0).padStart(6)} ms  ${mbps(out.floorMs).toFixed(1)} MB/s  (sha256 + tar -x of each blob, in sequence)`);
  if (l.berthd && l.dockerd) console.log(`  berthd throughput = ${(l.dockerd.medianMs / l.berthd.medianMs).toFixed(2)}× dockerd (target ≥ 2×); berthd time = ${(l.berthd.medianMs / out.floorMs).toFixed(2)}× floor (target ≤ 1.5×)`);
  console.log(`docker save -o FILE:`);
  for (const k of Object.keys(s)) console.log(`  ${k.padEnd(8)} ${s[k].medianMs.toFixed(0).padStart(6)} ms  ${s[k].MBps.toFixed(1)} MB/s`);
  if (s.berthd && s.dockerd) console.log(`  berthd throughput = ${(s.dockerd.medianMs / s.berthd.medianMs).toFixed(2)}× dockerd (target ≥ 2×)`);
}

try {
  await main();
} finally {
  await env.close();
}
