// Host state the bench creates and must take away again: the private bridge for dockerd, mounts
// under the work dir, cgroup directories under our parents, and the few files dockerd writes
// outside its roots. Also a before/after snapshot, so leftovers are reported, not guessed.
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { run, processTable, sleep } from './proc.mjs';

function unescapeMount(s) {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points and fs types from /proc/self/mountinfo. */
export function mounts() {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split(' ');
      const dash = f.indexOf('-');
      return { point: unescapeMount(f[4]), type: f[dash + 1], options: f[dash + 3] ?? '' };
    });
}

/** Lazily unmounts everything at or below dir, deepest first. Returns what it unmounted. */
export async function unmountUnder(dir) {
  const done = [];
  for (let pass = 0; pass < 3; pass++) {
    const under = mounts()
      .map((m) => m.point)
      .filter((p) => p === dir || p.startsWith(dir + '/'))
      .sort((a, b) => b.length - a.length);
    if (under.length === 0) break;
    for (const p of under) {
      const res = await run('umount', ['-l', p], { timeoutMs: 20_000 });
      if (res.code === 0) done.push(p);
    }
  }
  return done;
}

/** Mount points of every cgroup hierarchy (v1 controllers, name=systemd, the v2 `unified`). */
export function cgroupRoots() {
  return [...new Set(mounts().filter((m) => m.type === 'cgroup' || m.type === 'cgroup2').map((m) => m.point))];
}

/** Top-level cgroup directories per hierarchy (for the leftover report). */
function cgroupTops() {
  const out = {};
  for (const root of cgroupRoots()) {
    try {
      out[root] = readdirSync(root).filter((n) => {
        try {
          return statSync(join(root, n)).isDirectory();
        } catch {
          return false;
        }
      });
    } catch {
      out[root] = [];
    }
  }
  return out;
}

/**
 * Removes the cgroup `rel` (e.g. "/berth-bench-x-dockerd") in every hierarchy: kills what is
 * still inside, then rmdirs depth first, retrying while the kernel finishes exits.
 */
export async function removeCgroup(rel) {
  const left = [];
  for (const root of cgroupRoots()) {
    const top = join(root, rel);
    if (!existsSync(top)) continue;
    const dirs = [];
    const walk = (d) => {
      dirs.push(d);
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        try {
          if (statSync(p).isDirectory()) walk(p);
        } catch {
          // vanished
        }
      }
    };
    try {
      walk(top);
    } catch {
      continue;
    }
    for (const d of dirs) {
      try {
        for (const pid of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
      } catch {
        // no procs file
      }
    }
    dirs.sort((a, b) => b.length - a.length);
    for (const d of dirs) {
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) {
        try {
          rmdirSync(d);
          ok = true;
        } catch (err) {
          if (err.code === 'ENOENT') ok = true;
          else await sleep(100);
        }
      }
      if (!ok) left.push(d);
    }
  }
  return left;
}

/** Creates a bridge with a /24 from 10.231.0.0/16 that no address or route on the host overlaps. */
export async function createBridge(name) {
  const addrs = (await run('ip', ['-4', '-o', 'addr'])).stdout + (await run('ip', ['-4', 'route'])).stdout;
  let cidr = null;
  for (let tries = 0; tries < 64 && !cidr; tries++) {
    const x = Math.floor(Math.random() * 254) + 1;
    if (!addrs.includes(`10.231.${x}.`)) cidr = `10.231.${x}.1/24`;
  }
  if (!cidr) throw new Error('no free 10.231.x.0/24 for the dockerd bridge');
  for (const args of [
    ['link', 'add', name, 'type', 'bridge'],
    ['addr', 'add', cidr, 'dev', name],
    ['link', 'set', name, 'up'],
  ]) {
    const res = await run('ip', args);
    if (res.code !== 0) throw new Error(`ip ${args.join(' ')}: ${res.stderr.trim()}`);
  }
  return cidr;
}

/** A free 10.231.x.1/24 (no address or route on the host in it). */
export async function freeCidr(prefix = '10.231') {
  const addrs = (await run('ip', ['-4', '-o', 'addr'])).stdout + (await run('ip', ['-4', 'route'])).stdout;
  for (let tries = 0; tries < 64; tries++) {
    const x = Math.floor(Math.random() * 254) + 1;
    if (!addrs.includes(`${prefix}.${x}.`)) return `${prefix}.${x}.1/24`;
  }
  throw new Error(`no free ${prefix}.x.0/24`);
}

/** Removes berthd's nftables table and its accept rules in the iptables FORWARD chain. */
export async function deleteBerthFirewall(table) {
  await run('nft', ['delete', 'table', 'inet', table]);
  const fwd = await run('nft', ['-a', 'list', 'chain', 'ip', 'filter', 'FORWARD']);
  for (const line of fwd.stdout.split('\n')) {
    const m = line.includes(`"berth:${table}"`) ? /# handle (\d+)/.exec(line) : null;
    if (m) await run('nft', ['delete', 'rule', 'ip', 'filter', 'FORWARD', 'handle', m[1]]);
  }
}

/** Deletes a bridge and any veth still enslaved to it. */
export async function deleteBridge(name) {
  const shown = await run('ip', ['-o', 'link', 'show', 'master', name]);
  for (const line of shown.stdout.split('\n').filter(Boolean)) {
    const dev = line.split(':')[1]?.trim().split('@')[0];
    if (dev) await run('ip', ['link', 'del', dev]);
  }
  const res = await run('ip', ['link', 'del', name]);
  return res.code === 0 || /Cannot find device/.test(res.stderr);
}

/** Files dockerd 20.10 writes outside its --data-root/--exec-root (found by a before/after diff). */
const DOCKERD_HOST_FILES = ['/etc/docker/key.json'];
const DOCKERD_HOST_DIRS = ['/run/docker/plugins', '/run/docker', '/run/containerd/s', '/run/containerd'];

export function snapshot() {
  const links = readdirSync('/sys/class/net');
  return {
    links,
    mounts: mounts().map((m) => m.point),
    cgroups: cgroupTops(),
    files: Object.fromEntries([...DOCKERD_HOST_FILES, ...DOCKERD_HOST_DIRS].map((p) => [p, existsSync(p)])),
  };
}

export async function nftTables() {
  const res = await run('nft', ['list', 'tables'], { timeoutMs: 10_000 });
  return res.code === 0 ? res.stdout.split('\n').filter(Boolean) : [];
}

export async function iptablesRules() {
  const res = await run('iptables', ['-S'], { timeoutMs: 10_000 });
  const nat = await run('iptables', ['-t', 'nat', '-S'], { timeoutMs: 10_000 });
  return [...res.stdout.split('\n'), ...nat.stdout.split('\n').map((l) => `nat ${l}`)].filter(Boolean);
}

export async function fullSnapshot() {
  return { ...snapshot(), nft: await nftTables(), iptables: await iptablesRules() };
}

/**
 * Removes the files and empty dirs dockerd created outside its roots, but only those that did not
 * exist before the run and only when no other dockerd/containerd is running (they would be theirs).
 */
export function removeDockerdHostFiles(before) {
  const others = processTable().filter((p) => p.hostNs && (p.comm === 'dockerd' || p.comm === 'containerd'));
  if (others.length) return [`left ${DOCKERD_HOST_FILES.join(', ')} alone: another dockerd/containerd is running`];
  const notes = [];
  for (const f of DOCKERD_HOST_FILES) {
    if (!before.files[f] && existsSync(f)) {
      try {
        unlinkSync(f);
      } catch (err) {
        notes.push(`could not remove ${f}: ${err.message}`);
      }
    }
  }
  for (const d of DOCKERD_HOST_DIRS) {
    if (!before.files[d] && existsSync(d)) {
      try {
        rmdirSync(d);
      } catch {
        notes.push(`${d} not empty, left alone`);
      }
    }
  }
  return notes;
}

/** What differs after cleanup (may include other people's concurrent work; reported, not removed). */
export async function leftovers(before) {
  const after = await fullSnapshot();
  const out = [];
  for (const l of after.links) if (!before.links.includes(l)) out.push(`network link ${l}`);
  for (const m of after.mounts) if (!before.mounts.includes(m)) out.push(`mount ${m}`);
  const cg = new Map();
  for (const [root, names] of Object.entries(after.cgroups)) {
    for (const n of names) if (!(before.cgroups[root] ?? []).includes(n)) cg.set(n, (cg.get(n) ?? 0) + 1);
  }
  for (const [n, count] of cg) out.push(`cgroup /${n} (in ${count} hierarchies)`);
  for (const t of after.nft) if (!before.nft.includes(t)) out.push(`nft ${t}`);
  for (const r of after.iptables) if (!before.iptables.includes(r)) out.push(`iptables ${r}`);
  for (const [p, had] of Object.entries(after.files)) if (had && !before.files[p]) out.push(`file ${p}`);
  return out;
}
