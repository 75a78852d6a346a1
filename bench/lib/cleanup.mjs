// The last sweep, after the daemons were stopped gracefully (or after a bench that died, from its
// state.json): kill whatever still names the work dir, unmount everything under it, delete the
// bridge, remove our cgroups, and delete the work dir. Every step is idempotent.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteBerthFirewall, deleteBridge, mounts, removeCgroup, removeDockerdHostFiles, unmountUnder } from './host.mjs';
import { descendants, pidAlive, processTable, sleep } from './proc.mjs';

export const WORK_PARENTS = ['/var/tmp', '/tmp'];
export const WORK_PREFIX = 'berth-bench-';

export function writeState(work, state) {
  writeFileSync(join(work, 'state.json'), JSON.stringify(state, null, 2));
}

/**
 * A killed containerd-shim-runc-v2 (containerd 1.6) leaves its socket behind in /run/containerd/s,
 * named sha256(<containerd address>/<namespace>/<id>) (runtime/v2/shim/util_unix.go SocketAddress).
 */
export function shimSocket(p) {
  if (!p.comm.startsWith('containerd-shim')) return null;
  const arg = (flag) => {
    const m = new RegExp(`(?:^| )${flag} (\\S+)`).exec(p.cmdline);
    return m ? m[1] : null;
  };
  const [address, ns, id] = [arg('-address'), arg('-namespace'), arg('-id')];
  if (!address || !ns || !id) return null;
  return `/run/containerd/s/${createHash('sha256').update(`${address}/${ns}/${id}`).digest('hex')}`;
}

/** state: { ownerPid, work, bridges: [], cgroups: [], hostFilesBefore: {path: existed} } */
export async function sweep(state) {
  const notes = [];
  const { work } = state;
  const table = processTable();
  const victims = new Map();
  for (const p of table) {
    if (p.pid === process.pid || !p.cmdline.includes(work + '/')) continue;
    victims.set(p.pid, p);
    for (const d of descendants(table, p.pid)) victims.set(d.pid, d);
  }
  if (victims.size) {
    const sockets = [...victims.values()].map(shimSocket).filter(Boolean);
    notes.push(`killed ${victims.size} process(es) still using ${work}: ${[...new Set([...victims.values()].map((v) => v.comm))].join(', ')}`);
    for (const pid of victims.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (let i = 0; i < 50 && [...victims.keys()].some(pidAlive); i++) await sleep(100);
    for (const s of sockets) {
      try {
        unlinkSync(s);
      } catch {
        // the shim removed it
      }
    }
  }
  const unmounted = await unmountUnder(work);
  if (unmounted.length) notes.push(`unmounted ${unmounted.length} leftover mount(s) under ${work}`);
  for (const b of state.bridges ?? []) {
    if (existsSync(`/sys/class/net/${b}`)) {
      if (await deleteBridge(b)) notes.push(`deleted leftover bridge ${b}`);
      else notes.push(`could not delete bridge ${b}`);
    }
  }
  for (const e of state.engines ?? []) if (e?.firewallTable) await deleteBerthFirewall(e.firewallTable);
  // berthd's namespaces (berth-<id12>) under a killed run's data root.
  for (const e of state.engines ?? []) {
    const dir = e?.dataRoot ? join(e.dataRoot, 'containers') : null;
    if (!dir || !existsSync(dir) || !existsSync('/run/netns')) continue;
    const names = new Set(readdirSync(dir).map((id) => `berth-${id.slice(0, 12)}`));
    for (const ns of readdirSync('/run/netns')) if (names.has(ns)) { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ } }
  }
  for (const cg of state.cgroups ?? []) {
    const left = await removeCgroup(cg);
    if (left.length) notes.push(`could not remove cgroup(s): ${left.join(', ')}`);
  }
  const still = mounts().filter((m) => m.point === work || m.point.startsWith(work + '/'));
  if (still.length) notes.push(`kept ${work}: ${still.length} mount(s) still under it`);
  else rmSync(work, { recursive: true, force: true });
  return notes;
}

/** Sweeps work dirs of earlier runs whose bench process is gone (killed with SIGKILL, say). */
export async function sweepStale(log) {
  for (const parent of WORK_PARENTS) {
    let names = [];
    try {
      names = readdirSync(parent).filter((n) => n.startsWith(WORK_PREFIX));
    } catch {
      continue;
    }
    for (const n of names) {
      const work = join(parent, n);
      let state;
      try {
        state = JSON.parse(readFileSync(join(work, 'state.json'), 'utf8'));
      } catch {
        continue; // not ours (no state file): leave it
      }
      if (state.work !== work) continue;
      if (pidAlive(state.ownerPid)) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${state.ownerPid}/cmdline`, 'utf8');
        } catch {
          // gone meanwhile
        }
        // A bench running right now: run.mjs or any other bench/*.mjs script (stats.mjs, …).
        if (cmd.includes('run.mjs') || /bench\/[\w-]+\.mjs/.test(cmd)) continue;
      }
      log(`cleaning up after an earlier run that did not finish: ${work}`);
      for (const note of await sweep(state)) log(`  ${note}`);
      if (state.hostFilesBefore) for (const note of removeDockerdHostFiles({ files: state.hostFilesBefore })) log(`  ${note}`);
    }
  }
}
