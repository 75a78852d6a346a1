#!/usr/bin/env node
// Push A/B of berthd builds, interleaved: each build pulls the bench image (5 layers of 40 MB,
// half random, half text, as bench/pull.mjs makes them) once, then pushes it to an empty
// registry RUNS times in alternating order, its kept blobs dropped before each push so every
// push compresses again. Prints wall time, berthd's CPU and the registry's CPU per push (CPU
// is the steadier figure on a shared host) and the load average.
//
//   node bench/push-ab.mjs DIST_A/berthd.js,DIST_B/berthd.js [RUNS=3] [distribution|berth]
//   PERF=1 …   also records `perf record -g` of the last push of each build (/var/tmp/berth-push-perf-RUN.data)
//
// A build to compare: `git archive REV | tar -x -C DIR`, node_modules linked, `node scripts/build.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setUpEngines } from './lib/setup.mjs';
import { Berthd } from './lib/engines.mjs';
import { must, sleep } from './lib/proc.mjs';
const builds = process.argv[2].split(',');   // paths to dist/berthd.js
const RUNS = Number(process.argv[3] ?? 3);
const KIND = process.argv[4] ?? 'distribution';
const env = await setUpEngines({ engine: 'berthd', log: console.error }); env.engines.length = 0;
const work = env.work;
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const cpuOf = (pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; } catch { return NaN; } };
class Registry {
  constructor(name) { this.dir = join(work, name); }
  async start() {
    this.port = await freePort(); this.addr = `127.0.0.1:${this.port}`;
    rmSync(this.dir, { recursive: true, force: true }); mkdirSync(this.dir, { recursive: true });
    if (KIND === 'berth') this.proc = spawn(process.execPath, [join(import.meta.dirname, '../dist/berth-registry.js'), 'serve', '--addr', this.addr, '--root', join(this.dir, 'data')], { stdio: 'ignore' });
    else {
      writeFileSync(join(this.dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(this.dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${this.addr}\n`);
      this.proc = spawn('/usr/bin/docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: 'ignore' });
    }
    for (let i = 0; i < 100; i++) { try { if ((await fetch(`http://${this.addr}/v2/`)).status === 200) return; } catch {} await sleep(50); }
    throw new Error('registry did not start');
  }
  async stop() { const p = this.proc; if (!p || p.exitCode !== null) return; const d = new Promise((r) => p.once('exit', r)); p.kill('SIGTERM'); await Promise.race([d, sleep(3000)]); if (p.exitCode === null) p.kill('SIGKILL'); }
}
function makeLayer(i, sizeMb) {
  const dir = join(work, `layer${i}`); mkdirSync(join(dir, `opt/layer${i}`), { recursive: true });
  const files = 20; const per = Math.floor((sizeMb * 1024 * 1024) / files);
  for (let f = 0; f < files; f++) { const buf = f % 2 === 0 ? randomBytes(per) : Buffer.from(`layer ${i} file ${f} `.repeat(Math.ceil(per / 16)).slice(0, per) + randomBytes(per >> 4).toString('hex')).subarray(0, per); writeFileSync(join(dir, `opt/layer${i}/file${f}.bin`), buf); }
  const tar = spawnSync('tar', ['-c', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 30 }).stdout;
  rmSync(dir, { recursive: true, force: true }); return tar;
}
const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
async function pushRaw(reg, repo, tag, tars, blobs) {
  const put = async (blob) => { const d = sha(blob); const r = await fetch(`http://${reg.addr}/v2/${repo}/blobs/uploads/`, { method: 'POST' }); const loc = new URL(r.headers.get('location'), `http://${reg.addr}`); loc.searchParams.set('digest', d); const p = await fetch(loc, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } }); if (p.status !== 201) throw new Error(`put ${p.status}`); return d; };
  const layers = []; for (const b of blobs) layers.push({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: await put(b), size: b.length });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: tars.map(sha) }, history: tars.map(() => ({ created_by: 'bench' })) }));
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: await put(config), size: config.length }, layers });
  const r = await fetch(`http://${reg.addr}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } }); if (r.status !== 201) throw new Error('manifest');
}
const regs = [];
try {
  const tars = Array.from({ length: 5 }, (_, i) => makeLayer(i, 40));
  const src = new Registry('src'); regs.push(src); await src.start();
  await pushRaw(src, 'bench/big', 'v1', tars, tars.map((t) => gzipSync(t, { level: 6 })));
  const image = `${src.addr}/bench/big:v1`;
  const engines = builds.map((b, i) => { const e = new Berthd(join(work, `b${i}`), `${process.pid}${i}`, { script: b, runtime: 'crun' }); e.label = b; return e; });
  for (const e of engines) { env.engines.push(e); await env.start(e); must(await e.cli(['pull', '-q', image], { timeoutMs: 600000 }), 'pull'); }
  const res = new Map(engines.map((e) => [e, []]));
  for (let run = 0; run <= RUNS; run++) for (const e of run % 2 ? [...engines].reverse() : engines) {
    const dst = new Registry('dst'); regs.push(dst); await dst.start();
    const target = `${dst.addr}/bench/pushed:v1`; must(await e.cli(['tag', image, target]), 'tag');
    spawnSync('sync');
    const perf = process.env.PERF && run === RUNS ? spawn('perf', ['record', '-F', '999', '-g', '-p', String(e.pid), '-o', join(work, '..', `berth-push-perf-${run}.data`)], { stdio: 'ignore' }) : null;
    if (perf) await sleep(300);
    const c0 = cpuOf(e.pid), r0 = cpuOf(dst.proc.pid), t0 = performance.now();
    const out = must(await e.cli(['push', target], { timeoutMs: 600000 }), 'push');
    const ms = performance.now() - t0, c = cpuOf(e.pid) - c0, rc = cpuOf(dst.proc.pid) - r0;
    if (perf) { perf.kill('SIGINT'); await new Promise((r) => perf.once('exit', r)); }
    await dst.stop(); must(await e.cli(['rmi', target]), 'rmi');
    // drop the kept blobs so the next push compresses again
    rmSync(join(e.dataRoot, 'content/blobs/sha256'), { recursive: true, force: true }); mkdirSync(join(e.dataRoot, 'content/blobs/sha256'));
    for (const f of spawnSync('ls', [join(e.dataRoot, 'content/layers')]).stdout.toString().split('\n').filter(Boolean)) rmSync(join(e.dataRoot, 'content/layers', f));
    if (run > 0) res.get(e).push(ms);
    console.log(`run ${run} ${e.label}: push ${ms.toFixed(0)} ms, berthd cpu ${c} ms, registry cpu ${rc} ms, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  }
  for (const [e, v] of res) { v.sort((a, b) => a - b); console.log(`${e.label}: median ${v[Math.floor((v.length - 1) / 2)].toFixed(0)} ms  ${v.map((x) => x.toFixed(0)).join(' ')}`); }
} finally {
  for (const r of regs) await r.stop().catch(() => {});
  await env.close();
}
