#!/usr/bin/env node
// Issue 7 target: logging 50 MiB through json-file with rotation runs at >= 3x dockerd's
// throughput, and the log files never exceed max-size x max-file.
//
//   node bench/log-throughput.mjs [--runs N] [--mib SIZE] [--engine both|berthd|dockerd] [--berthd-script FILE]   (root, after node scripts/build.mjs)
//
// berthd and Debian's dockerd side by side in one run, with the machinery of bench/stats.mjs
// (private roots, cgroup parents, bridge; `node bench/run.mjs --cleanup` after a crash).
// Each run: `docker run -d --network none --log-opt max-size=10m --log-opt max-file=3 busybox
// sh -c 'yes <76 chars> | head -c SIZE'` and `docker wait`, timed from before the run to
// the return of wait (both engines report the exit only after their log writer drained, and
// the check below proves the last line is on disk). While it runs the log files are sampled
// every 20 ms: the largest file and the largest total must stay within max-size and
// max-size x max-file. berth's capture file (conmon's ctr.log; the shipper punches out what
// it shipped) is reported on its own line, as the disk blocks it holds. Runs alternate engines; medians and the ratio are printed and
// written to bench/results/log-throughput.json.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Berthd, Dockerd } from './lib/engines.mjs';
import { fullSnapshot, leftovers, removeDockerdHostFiles } from './lib/host.mjs';
import { loadavg, must, run, sleep } from './lib/proc.mjs';
import { sweep, sweepStale, writeState } from './lib/cleanup.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(benchDir, '..');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const RUNS = Number(opt('--runs', 3));
const MIB = Number(opt('--mib', 50));
const ENGINE = opt('--engine', 'both');
// --driver none|k8s-file: diagnosis only (how fast the container's output reaches conmon).
const DRIVER = opt('--driver', 'json-file');
// --devnull: diagnosis only: the container writes to its own /dev/null (no conmon copy, no shipping):
// what the run costs without any logging, to compare with --driver none and json-file.
const DEVNULL = args.includes('--devnull');
// --berthd-log FILE: berthd runs with --log-level debug and its log is copied to FILE at the end.
const BERTHD_LOG = opt('--berthd-log', null);
const OUT = opt('--out', join(benchDir, 'results/log-throughput.json'));
// --cpu-prof DIR: berthd runs under node --cpu-prof (a .cpuprofile per daemon, written at its exit).
const CPU_PROF = opt('--cpu-prof', null);
// --berthd-script FILE: another berthd bundle (e.g. a build of an older commit, for A/B pairs).
const BERTHD_SCRIPT = resolve(opt('--berthd-script', join(repo, 'dist/berthd.js')));
const MAX_SIZE = 10_000_000; // --log-opt max-size=10m (Docker's units: decimal)
const MAX_FILE = 3;
const LINE = 'A'.repeat(76); // + LF = 77 bytes per line
const BYTES = Math.ceil((MIB * 1024 * 1024) / 77) * 77; // whole lines only

const t0 = Date.now();
const log = (m) => process.stderr.write(`[log-bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${m}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null; };

/** The last complete line of a file (reads its tail). */
function lastLine(path) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, 4096);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, size - n);
    const lines = buf.toString().split('\n').filter(Boolean);
    return lines.at(-1) ?? '';
  } finally {
    closeSync(fd);
  }
}

/** Sizes of the json-file chain (<logPath>, <logPath>.N[.gz]) and of berth's capture file. */
function sample(logPath) {
  const dir = dirname(logPath);
  const base = basename(logPath);
  let total = 0;
  let largest = 0;
  let capture = 0;
  for (const n of readdirSync(dir)) {
    let size = 0;
    let disk = 0;
    try { const st = statSync(join(dir, n)); size = st.size; disk = st.blocks * 512; } catch { continue; }
    if (n === base || (n.startsWith(base + '.') && /^\.\d+(\.gz)?$/.test(n.slice(base.length)))) {
      total += size;
      largest = Math.max(largest, size);
    } else if (n === 'ctr.log') capture = disk; // disk blocks: the shipper punches out what it shipped
  }
  return { total, largest, capture };
}

/** The daemon's own CPU time in seconds, [user, system], from /proc (clock ticks of 10 ms). */
function daemonCpu(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return [Number(f[11]) / 100, Number(f[12]) / 100];
  } catch { return [NaN, NaN]; }
}

async function oneRun(e, i) {
  const name = `berth-bench-log-${i}`;
  const script = `yes ${LINE} | head -c ${BYTES}${DEVNULL ? ' >/dev/null' : ''}`;
  const cpu0 = daemonCpu(e.pid);
  const start = performance.now();
  const r = must(await e.cli(['run', '-d', '--network', 'none', '--name', name, ...(DRIVER === 'json-file' ? ['--log-opt', `max-size=10m`, '--log-opt', `max-file=${MAX_FILE}`] : ['--log-driver', DRIVER]), 'busybox', 'sh', '-c', script]), `${e.name}: run`);
  const id = r.stdout.trim();
  const runReturnedMs = performance.now() - start;
  const insp = JSON.parse(must(await e.cli(['inspect', id]), 'inspect').stdout)[0];
  // Wall-clock ms of the start (performance.timeOrigin + start), to place StartedAt and the last line on the same axis.
  const startEpochMs = performance.timeOrigin + start;
  const logPath = insp.LogPath || join(dirname(insp.ResolvConfPath), 'ctr.log');
  let peak = { total: 0, largest: 0, capture: 0 };
  let waiting = true;
  const waitP = e.cli(['wait', id], { timeoutMs: 600_000 }).then((w) => { waiting = false; return w; });
  while (waiting) {
    const s = sample(logPath);
    peak = { total: Math.max(peak.total, s.total), largest: Math.max(peak.largest, s.largest), capture: Math.max(peak.capture, s.capture) };
    await sleep(20);
  }
  const w = must(await waitP, `${e.name}: wait`);
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = daemonCpu(e.pid);
  const daemonCpuSeconds = cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1];
  const daemonSysSeconds = cpu1[1] - cpu0[1];
  const waitedAt = Date.now();
  const s = sample(logPath);
  peak = { total: Math.max(peak.total, s.total), largest: Math.max(peak.largest, s.largest), capture: Math.max(peak.capture, s.capture) };
  const last = DRIVER === 'json-file' && !DEVNULL ? JSON.parse(lastLine(logPath)) : { log: `${LINE}\n` };
  if (last.log !== `${LINE}\n`) throw new Error(`${e.name}: last log entry is ${JSON.stringify(last).slice(0, 120)}`);
  // How long after the container's last line was read (its time stamp) the exit was reported.
  const drainLagMs = last.time ? waitedAt - Date.parse(last.time) : null;
  // Phases: run -> container started (StartedAt) -> last line read by the engine -> exit reported.
  const startedMs = Date.parse(insp.State?.StartedAt ?? '') - startEpochMs;
  const lastLineMs = last.time ? Date.parse(last.time) - startEpochMs : null;
  if (w.stdout.trim() !== '0') throw new Error(`${e.name}: exit code ${w.stdout.trim()}`);
  await e.cli(['rm', '-f', id]);
  return { seconds, mibPerSec: MIB / seconds, drainLagMs, daemonCpuSeconds, daemonSysSeconds, runReturnedMs: Math.round(runReturnedMs), startedMs: Math.round(startedMs), lastLineMs, ...peak };
}

async function main() {
  if (process.getuid?.() !== 0) { console.error('run as root'); return 2; }
  await sweepStale(log);
  const before = await fullSnapshot();
  const work = mkdtempSync('/var/tmp/berth-bench-');
  const runId = basename(work).slice('berth-bench-'.length);
  const engines = [];
  if (ENGINE !== 'berthd') engines.push(new Dockerd(work, runId));
  if (ENGINE !== 'dockerd') {
    const b = new Berthd(work, runId, { script: BERTHD_SCRIPT, runtime: 'crun' });
    if (BERTHD_LOG) b.extraArgs.push('--log-level', 'debug');
    if (CPU_PROF) {
      const spawn = b.spawnDaemon.bind(b);
      b.spawnDaemon = (cmd, argv) => spawn(cmd, ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`, ...argv]);
    }
    engines.push(b);
  }
  const state = () => ({
    ownerPid: process.pid, work, engines: engines.map((e) => e.state()),
    bridges: engines.filter((e) => e.bridge).map((e) => e.bridge), cgroups: engines.map((e) => e.cgroupParent), hostFilesBefore: before.files,
  });
  const cleanup = async () => {
    const notes = [];
    for (const r of await Promise.allSettled(engines.map((e) => e.stop()))) if (r.status === 'fulfilled') notes.push(...r.value);
    notes.push(...(await sweep(state())));
    if (engines.some((e) => e.name === 'dockerd')) notes.push(...removeDockerdHostFiles(before));
    for (const l of await leftovers(before)) notes.push(`host change still present: ${l}`);
    return notes;
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { log(`${sig}: cleaning up`); for (const n of await cleanup()) log(n); process.exit(130); });
  writeState(work, state());
  const results = Object.fromEntries(engines.map((e) => [e.name, []]));
  const loadStart = loadavg();
  let failed = null;
  try {
    const tar = join(work, 'busybox.tar');
    must(await run('bash', [join(repo, 'scripts/busybox-rootfs.sh'), tar]), 'busybox rootfs');
    for (const e of engines) {
      log(`starting ${e.name}`);
      await e.start();
      writeState(work, state());
      await e.importImage(tar);
    }
    for (let i = 0; i < RUNS; i++) {
      for (const e of (i % 2 === 0 ? engines : [...engines].reverse())) {
        const r = await oneRun(e, i);
        results[e.name].push(r);
        log(`run ${i + 1}/${RUNS} ${e.name}: ${r.seconds.toFixed(2)} s, ${r.mibPerSec.toFixed(1)} MiB/s, files peak ${(r.total / 1e6).toFixed(2)} MB (largest ${(r.largest / 1e6).toFixed(2)} MB)${e.name === 'berthd' ? `, capture peak ${(r.capture / 1e6).toFixed(2)} MB` : ''}, phases (ms from run): run returned ${r.runReturnedMs}, started ${r.startedMs}, last line ${r.lastLineMs}, exit reported ${Math.round(r.seconds * 1000)}; last line to exit reported ${r.drainLagMs} ms, daemon CPU ${r.daemonCpuSeconds.toFixed(2)} s (sys ${r.daemonSysSeconds.toFixed(2)}) (load ${loadavg()})`);
      }
    }
  } catch (err) {
    failed = err;
    log(`failed: ${err.stack ?? err}`);
  }
  const summary = {};
  for (const [name, rs] of Object.entries(results)) {
    if (rs.length === 0) continue;
    summary[name] = {
      medianSeconds: median(rs.map((r) => r.seconds)), medianMiBPerSec: median(rs.map((r) => r.mibPerSec)), medianDaemonCpuSeconds: median(rs.map((r) => r.daemonCpuSeconds)),
      peakTotalBytes: Math.max(...rs.map((r) => r.total)), peakFileBytes: Math.max(...rs.map((r) => r.largest)), peakCaptureBytes: Math.max(...rs.map((r) => r.capture)),
    };
  }
  console.log(`\nlogging ${MIB} MiB (${BYTES} bytes, 77-byte lines) through json-file, max-size=10m max-file=${MAX_FILE}, median of ${RUNS}:`);
  for (const [name, s] of Object.entries(summary)) {
    const bound = s.peakTotalBytes <= MAX_SIZE * MAX_FILE && s.peakFileBytes <= MAX_SIZE;
    console.log(`  ${name.padEnd(8)} ${s.medianSeconds.toFixed(2)} s  ${s.medianMiBPerSec.toFixed(1)} MiB/s  daemon CPU ${s.medianDaemonCpuSeconds.toFixed(2)} s  files peak ${s.peakTotalBytes} B (largest ${s.peakFileBytes} B; bound ${MAX_SIZE * MAX_FILE} B: ${bound ? 'OK' : 'EXCEEDED'})${name === 'berthd' ? `  capture peak ${s.peakCaptureBytes} B` : ''}`);
  }
  let ratio = null;
  if (summary.berthd && summary.dockerd) {
    ratio = summary.berthd.medianMiBPerSec / summary.dockerd.medianMiBPerSec;
    console.log(`  ratio berthd/dockerd throughput: ${ratio.toFixed(2)}; target >= 3: ${ratio >= 3 ? 'MET' : 'NOT MET'}`);
  }
  console.log(`load: start ${loadStart} | end ${loadavg()}`);
  if (BERTHD_LOG) for (const e of engines) if (e.name === 'berthd') copyFileSync(e.logFile, BERTHD_LOG);
  const notes = await cleanup();
  for (const n of notes) log(n);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ startedAt: new Date(t0).toISOString(), loadStart, loadEnd: loadavg(), runs: RUNS, mib: MIB, bytes: BYTES, maxSize: MAX_SIZE, maxFile: MAX_FILE, results, summary, ratio, failed: failed ? String(failed) : null, cleanup: notes }, null, 2) + '\n');
  return failed ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
