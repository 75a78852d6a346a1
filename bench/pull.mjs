#!/usr/bin/env node
// Pull and push of a ~200 MB image of 5 gzip layers from a loopback registry: berthd against
// dockerd (Debian's 20.10, private, as in run.mjs), both driven by the real docker CLI, and the
// floor: sha256 plus `tar -xz` of the same blobs, the 5 layers in parallel, in the same run.
// Also blob GET throughput and 100 concurrent manifest GETs: berth registry serve against
// Debian's Distribution registry.
//
//   node bench/pull.mjs [--runs N] [--size-mb 200] [--engine both|berthd|dockerd] [--no-push] [--no-servers]
//
// The source registry is Debian's docker-registry when installed (neutral to both engines),
// else berth registry serve. 127.0.0.1 is an insecure registry by default for both engines.
// Everything lives under the run's work dir /var/tmp/berth-bench-* (bench/lib/setup.mjs), removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { setUpEngines } from './lib/setup.mjs';
import { must, sleep } from './lib/proc.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: o } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, 'size-mb': { type: 'string', default: '200' }, engine: { type: 'string', default: 'both' },
  'no-push': { type: 'boolean', default: false }, 'no-servers': { type: 'boolean', default: false },
} });
const RUNS = Number(o.runs);
const LAYERS = 5;
const log = (...a) => console.error('[pull-bench]', ...a);
const env = await setUpEngines({ engine: o.engine, log: (...a) => log(...a) });
const work = env.work;

function freePort() {
  return new Promise((res, rej) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); s.on('error', rej); });
}

class Registry {
  constructor(kind, name) { this.kind = kind; this.dir = join(work, name); this.proc = null; registries.push(this); }
  async start() {
    this.port ??= await freePort();
    rmSync(join(this.dir, 'data'), { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.addr = `127.0.0.1:${this.port}`;
    if (this.kind === 'berth') {
      this.proc = spawn(process.execPath, [join(ROOT, 'dist/berth-registry.js'), 'serve', '--addr', this.addr, '--root', join(this.dir, 'data')], { stdio: 'ignore' });
    } else {
      writeFileSync(join(this.dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(this.dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${this.addr}\n`);
      this.proc = spawn('/usr/bin/docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: 'ignore' });
    }
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`http://${this.addr}/v2/`)).status === 200) return; } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`${this.kind} registry did not start`);
  }
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const p = this.proc;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([done, sleep(3000)]);
    if (p.exitCode === null) p.kill('SIGKILL');
  }
}

/** A layer of ~sizeMb: files half random (incompressible), half repetitive text, as real layers mix. */
function makeLayer(i, sizeMb) {
  const dir = join(work, `layer${i}`);
  mkdirSync(join(dir, `opt/layer${i}`), { recursive: true });
  const files = 20;
  const per = Math.floor((sizeMb * 1024 * 1024) / files);
  for (let f = 0; f < files; f++) {
    const buf = f % 2 === 0 ? randomBytes(per) : Buffer.from(`layer ${i} file ${f} `.repeat(Math.ceil(per / 16)).slice(0, per) + randomBytes(per >> 4).toString('hex')).subarray(0, per);
    writeFileSync(join(dir, `opt/layer${i}/file${f}.bin`), buf);
  }
  const tar = spawnSync('tar', ['-c', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 30 }).stdout;
  rmSync(dir, { recursive: true, force: true });
  return tar;
}

const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushRaw(reg, repo, tag, tars, blobs) {
  const put = async (blob) => {
    const d = sha(blob);
    const r = await fetch(`http://${reg.addr}/v2/${repo}/blobs/uploads/?digest=${d}`, { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
    if (r.status === 202) {
      // distribution 2.8 ignores ?digest= on POST: the body is dropped and a session starts.
      const loc = new URL(r.headers.get('location'), `http://${reg.addr}`);
      loc.searchParams.set('digest', d);
      const put = await fetch(loc, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
      if (put.status !== 201) throw new Error(`upload PUT ${put.status} ${await put.text()}`);
      return d;
    }
    if (r.status !== 201) throw new Error(`upload ${r.status} ${await r.text()}`);
    return d;
  };
  const layers = [];
  for (const b of blobs) layers.push({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: await put(b), size: b.length });
  const busybox = JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: tars.map(sha) }, history: tars.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'bench' })) });
  const config = Buffer.from(busybox);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: await put(config), size: config.length }, layers });
  const r = await fetch(`http://${reg.addr}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
  if (r.status !== 201) throw new Error(`manifest ${r.status}`);
  return { layers, manifestBytes: Buffer.from(manifest) };
}

/** The floor: each blob → sha256 of the compressed bytes and `tar -xz` into its own dir, 5 at once. */
async function floor(blobFiles) {
  const dir = join(work, 'floor');
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  await Promise.all(blobFiles.map((f, i) => new Promise((res, rej) => {
    const target = join(dir, String(i));
    mkdirSync(target, { recursive: true });
    const tar = spawn('tar', ['-xz', '-C', target, '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    const h = createHash('sha256');
    const s = createReadStream(f, { highWaterMark: 1 << 20 });
    s.on('data', (c) => h.update(c));
    s.pipe(tar.stdin);
    tar.on('close', (code) => { h.digest('hex'); code === 0 ? res() : rej(new Error(`tar ${code}`)); });
  })));
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

async function timed(fn) { const t0 = performance.now(); await fn(); return performance.now() - t0; }

async function main() {
  if (!existsSync(join(ROOT, 'dist/berthd.js'))) throw new Error('build first: node scripts/build.mjs');
  const useDist = existsSync('/usr/bin/docker-registry');
  const src = new Registry(useDist ? 'distribution' : 'berth', 'src');
  const dst = new Registry(useDist ? 'distribution' : 'berth', 'dst');
  const sizeMb = Number(o['size-mb']) / LAYERS;
  log(`making ${LAYERS} layers of ${sizeMb} MB`);
  const tars = Array.from({ length: LAYERS }, (_, i) => makeLayer(i, sizeMb));
  const blobs = tars.map((t) => gzipSync(t, { level: 6 }));
  const total = blobs.reduce((a, b) => a + b.length, 0);
  const totalTar = tars.reduce((a, b) => a + b.length, 0);
  log(`compressed ${(total / 1e6).toFixed(1)} MB, uncompressed ${(totalTar / 1e6).toFixed(1)} MB`);
  await src.start();
  const image = `${src.addr}/bench/big:v1`;
  const { layers } = await pushRaw(src, 'bench/big', 'v1', tars, blobs);
  const blobFiles = layers.map((l) => {
    const hex = l.digest.slice(7);
    return src.kind === 'berth' ? join(src.dir, 'data/blobs/sha256', hex) : join(src.dir, `data/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`);
  });
  tars.length = 0; blobs.length = 0;

  const engines = env.engines;
  const res = { pull: {}, push: {}, floor: [] };
  {
    for (const e of engines) { await env.start(e); res.pull[e.name] = []; res.push[e.name] = []; }
    // warm-up: one pull each (untimed), then remove
    for (let run = 0; run <= RUNS; run++) {
      for (const e of run % 2 ? [...engines].reverse() : engines) {
        spawnSync('sync');
        const ms = await timed(async () => must(await e.cli(['pull', '-q', image], { timeoutMs: 600_000 }), `${e.name} pull`));
        if (run > 0) res.pull[e.name].push(ms);
        // push the same image to an empty registry (no blob there, nothing to mount)
        let pms = NaN;
        if (!o['no-push']) {
          await dst.start();
          const target = `${dst.addr}/bench/pushed:v1`;
          must(await e.cli(['tag', image, target]), 'tag');
          pms = await timed(async () => must(await e.cli(['push', target], { timeoutMs: 600_000 }), `${e.name} push`));
          if (run > 0) res.push[e.name].push(pms);
          await dst.stop();
          must(await e.cli(['rmi', target]), `${e.name} rmi`);
        }
        must(await e.cli(['rmi', image]), `${e.name} rmi`);
        log(`run ${run}${run === 0 ? ' (warm-up)' : ''} ${e.name}: pull ${ms.toFixed(0)} ms, push ${pms.toFixed(0)} ms`);
      }
      spawnSync('sync');
      const f = await floor(blobFiles);
      if (run > 0) res.floor.push(f);
      log(`run ${run} floor: ${f.toFixed(0)} ms`);
    }
  }

  // Registry servers: blob GET throughput and 100 concurrent manifest GETs.
  const servers = {};
  for (const kind of o['no-servers'] ? [] : ['berth', ...(useDist ? ['distribution'] : [])]) {
    const r = new Registry(kind, `srv-${kind}`);
    await r.start();
    const big = randomBytes(64 * 1024 * 1024);
    const { layers: l2, manifestBytes } = await pushRaw(r, 'bench/srv', 'v1', [Buffer.from('x')], [big]);
    const get = async () => { const resp = await fetch(`http://${r.addr}/v2/bench/srv/blobs/${l2[0].digest}`); let n = 0; for await (const c of resp.body) n += c.length; return n; };
    await get();
    const blobMs = [];
    for (let i = 0; i < 5; i++) blobMs.push(await timed(get));
    const mget = () => fetch(`http://${r.addr}/v2/bench/srv/manifests/v1`, { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } }).then((x) => x.arrayBuffer());
    await Promise.all(Array.from({ length: 100 }, mget));
    const manMs = [];
    for (let i = 0; i < 5; i++) manMs.push(await timed(() => Promise.all(Array.from({ length: 100 }, mget))));
    servers[kind] = { blobMBps: (big.length / 1e6) / (median(blobMs) / 1000), manifest100Ms: median(manMs), manifestBytes: manifestBytes.length };
    await r.stop();
  }

  const mbps = (ms) => (total / 1e6) / (ms / 1000);
  const out = { compressedBytes: total, uncompressedBytes: totalTar, runs: RUNS, source: src.kind, pull: {}, push: {}, floorMs: median(res.floor), servers };
  for (const [k, v] of Object.entries(res.pull)) out.pull[k] = { medianMs: median(v), MBps: mbps(median(v)), samples: v };
  for (const [k, v] of Object.entries(res.push)) out.push[k] = { medianMs: median(v), MBps: mbps(median(v)), samples: v };
  console.log(JSON.stringify(out, null, 2));
  const p = out.pull; const q = out.push;
  console.log(`\npull of ${(total / 1e6).toFixed(0)} MB (${LAYERS} layers) from ${src.kind} on loopback, median of ${RUNS}:`);
  for (const k of Object.keys(p)) console.log(`  ${k.padEnd(8)} ${p[k].medianMs.toFixed(0).padStart(6)} ms  ${p[k].MBps.toFixed(1)} MB/s`);
  console.log(`  floor    ${out.floorMs.toFixed(0).padStart(6)} ms  ${mbps(out.floorMs).toFixed(1)} MB/s  (sha256 + tar -xz, 5 in parallel)`);
  if (p.berthd && p.dockerd) console.log(`  berthd throughput = ${(p.dockerd.medianMs / p.berthd.medianMs).toFixed(2)}× dockerd (target ≥ 2×); berthd time = ${(p.berthd.medianMs / out.floorMs).toFixed(2)}× floor (target ≤ 1.5×)`);
  if (!o['no-push']) console.log(`push to an empty registry:`);
  if (!o['no-push']) for (const k of Object.keys(q)) console.log(`  ${k.padEnd(8)} ${q[k].medianMs.toFixed(0).padStart(6)} ms  ${q[k].MBps.toFixed(1)} MB/s`);
  if (!o['no-push'] && q.berthd && q.dockerd) console.log(`  berthd throughput = ${(q.dockerd.medianMs / q.berthd.medianMs).toFixed(2)}× dockerd (target ≥ 1.5×)`);
  for (const [k, v] of Object.entries(servers)) console.log(`registry ${k}: blob GET ${v.blobMBps.toFixed(0)} MB/s, 100 concurrent manifest GETs ${v.manifest100Ms.toFixed(1)} ms`);
}

const registries = [];
try {
  await main();
} finally {
  for (const r of registries) await r.stop().catch(() => undefined);
  await env.close();
}
