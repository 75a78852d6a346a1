#!/usr/bin/env node
// Issue 5 target: a sequential write of 500 MB into a named volume from inside a container
// runs at >= 0.95x the same write on the host filesystem (no copy layer in the path).
//
//   node bench/volume-write.mjs [--runs N] [--mb SIZE]      (as root, after node scripts/build.mjs)
//
// A private berthd (data root under /var/tmp/berth-bench-*, so the volume and the host file
// sit on the same filesystem) runs `dd if=/dev/zero of=… bs=1M count=SIZE conv=fsync` inside
// `busybox` into a named volume, and the same busybox binary runs the same dd on the host
// into a file in the same work dir. Both are timed the same way, from inside the shell that runs dd
// (/proc/uptime before and after), so container start-up is not counted. Runs alternate
// host/container; the medians and their ratio (host time / container time = container
// throughput relative to the host) are printed. Everything is removed at the end.
import { mkdtempSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Berthd } from './lib/engines.mjs';
import { sweep, writeState } from './lib/cleanup.mjs';
import { must, run } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : def; };
const runs = opt('--runs', 15);
const mb = opt('--mb', 500);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(mb) || mb < 1) {
  console.error('usage: node bench/volume-write.mjs [--runs N] [--mb SIZE]');
  process.exit(2);
}

// Prints "<seconds before> <seconds after>" around the write; the file is removed afterwards.
const script = (path) => `read a _ < /proc/uptime; dd if=/dev/zero of=${path} bs=1M count=${mb} conv=fsync 2>/dev/null; read b _ < /proc/uptime; rm -f ${path}; echo $a $b`;
const seconds = (out) => {
  const [a, b] = out.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`unexpected timing output: ${out}`);
  return b - a;
};

const work = mkdtempSync('/var/tmp/berth-bench-vol-');
const runId = work.split('-').pop();
const berthd = new Berthd(work, runId, { script: join(repo, 'dist/berthd.js'), runtime: 'crun' });
writeState(work, { ownerPid: process.pid, work, bridges: [], cgroups: [berthd.cgroupParent], hostFilesBefore: {} });
let code = 0;
try {
  const tar = join(work, 'busybox.tar');
  must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'scripts/busybox-rootfs.sh');
  // The host side runs the image's own (static) busybox, so both sides use the same dd.
  must(await run('tar', ['-xf', tar, '-C', work, './bin/busybox']), 'extract busybox');
  const hostSh = (path) => run(join(work, 'bin/busybox'), ['sh', '-c', script(path)], { timeoutMs: 300_000 });
  await berthd.start();
  await berthd.importImage(tar);
  must(await berthd.cli(['volume', 'create', 'berth-bench-vol']), 'volume create');
  const host = [];
  const ctr = [];
  // One untimed write of each first: the first write to a fresh file system area is slower.
  must(await hostSh(join(work, 'host-file')), 'host dd (warm-up)');
  must(await berthd.cli(['run', '--rm', '--network', 'none', '-v', 'berth-bench-vol:/v', 'busybox', 'sh', '-c', script('/v/file')], { timeoutMs: 300_000 }), 'container dd (warm-up)');
  for (let i = 0; i < runs; i++) {
    const h = must(await hostSh(join(work, 'host-file')), 'host dd');
    host.push(seconds(h.stdout));
    const c = must(await berthd.cli(['run', '--rm', '--network', 'none', '-v', 'berth-bench-vol:/v', 'busybox', 'sh', '-c', script('/v/file')], { timeoutMs: 300_000 }), 'container dd');
    ctr.push(seconds(c.stdout));
    process.stderr.write(`run ${i + 1}/${runs}: host ${host.at(-1).toFixed(2)} s, container volume ${ctr.at(-1).toFixed(2)} s\n`);
  }
  const hm = median(host);
  const cm = median(ctr);
  const ratio = hm / cm;
  // /proc/uptime has 10 ms steps: the ratio of the summed times evens that out over the runs.
  const sumRatio = host.reduce((a, b) => a + b, 0) / ctr.reduce((a, b) => a + b, 0);
  console.log(`sequential write ${mb} MB (dd bs=1M conv=fsync), median of ${runs}:`);
  console.log(`  host filesystem      ${hm.toFixed(2)} s  ${(mb / hm).toFixed(0)} MB/s`);
  console.log(`  named volume (berth) ${cm.toFixed(2)} s  ${(mb / cm).toFixed(0)} MB/s`);
  // On a shared machine fsync latency spikes hit either side at random; the best run of each
  // shows what the path itself allows.
  const bestRatio = Math.min(...host) / Math.min(...ctr);
  console.log(`  ratio volume/host throughput: ${ratio.toFixed(3)} (medians), ${sumRatio.toFixed(3)} (total time), ${bestRatio.toFixed(3)} (best runs); target >= 0.95 on medians: ${ratio >= 0.95 ? 'MET' : 'NOT MET'}`);
  must(await berthd.cli(['volume', 'rm', 'berth-bench-vol']), 'volume rm');
} catch (err) {
  console.error(`bench failed: ${err.message}`);
  code = 1;
} finally {
  await berthd.stop().catch(() => undefined);
  // sweep() unmounts what is left under the work dir, then deletes it (never through a mount).
  for (const note of await sweep({ ownerPid: process.pid, work, bridges: [], cgroups: [berthd.cgroupParent], hostFilesBefore: {} }).catch((e) => [e.message])) console.error(note);
}
process.exit(code);
