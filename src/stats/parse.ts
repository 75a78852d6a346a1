// Parsers of the kernel's accounting files (pure; the readers feed them file text).
// Formats: cgroup v1 and v2 "flat keyed" files (`key value` per line), v1 blkio
// (`MAJ:MIN Op value`), v2 io.stat (`MAJ:MIN rbytes=… wbytes=…`), /proc/stat's cpu line and
// /proc/<pid>/net/dev.
import type { BlkioStatEntry, NetworkStats } from './docker-types.ts';

/** "key value" lines → numbers (non-numeric values are left out). */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1).trim());
    if (Number.isFinite(v)) out[line.slice(0, sp)] = v;
  }
  return out;
}

/** A single number; "max" (v2 unlimited) and garbage give null. */
export function parseSingle(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (t === '' || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** cpuacct.usage_percpu: space-separated nanoseconds. */
export function parseNumberList(text: string): number[] {
  return text.trim().split(/\s+/).filter((x) => x !== '').map(Number).filter((n) => Number.isFinite(n));
}

/**
 * v1 blkio.throttle.io_service_bytes / io_serviced: "254:0 Read 4096" per line and a last
 * "Total N" line, which containerd (and so Docker) leaves out.
 */
export function parseBlkioV1(text: string): BlkioStatEntry[] {
  const out: BlkioStatEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    const m = /^(\d+):(\d+)$/.exec(f[0]!);
    if (!m) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: f[1]!, value: Number(f[2]) });
  }
  return out;
}

/** v2 io.stat → Docker's (moby statsV2) read/write entries for bytes and ios. */
export function parseIoStatV2(text: string): { bytes: BlkioStatEntry[]; ios: BlkioStatEntry[] } {
  const bytes: BlkioStatEntry[] = [];
  const ios: BlkioStatEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!m) continue;
    const kv: Record<string, number> = {};
    for (const p of f.slice(1)) {
      const eq = p.indexOf('=');
      if (eq > 0) kv[p.slice(0, eq)] = Number(p.slice(eq + 1));
    }
    const major = Number(m[1]);
    const minor = Number(m[2]);
    bytes.push({ major, minor, op: 'read', value: kv.rbytes ?? 0 }, { major, minor, op: 'write', value: kv.wbytes ?? 0 });
    ios.push({ major, minor, op: 'read', value: kv.rios ?? 0 }, { major, minor, op: 'write', value: kv.wios ?? 0 });
  }
  return { bytes, ios };
}

/** USER_HZ: /proc/stat and cpuacct.stat count in these ticks on every Linux Docker supports. */
export const CLOCK_TICKS = 100;

/**
 * /proc/stat → the host's total CPU time in ns, as moby getSystemCPUUsage counts it: the
 * first seven fields of the "cpu" line (user nice system idle iowait irq softirq).
 */
export function parseSystemCpuUsage(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const f = line.trim().split(/\s+/).slice(1, 8).map(Number);
  const ticks = f.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return (ticks * 1e9) / CLOCK_TICKS;
}

/** /proc/<pid>/net/dev → per interface counters, loopback left out (as Docker does). */
export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo' || name === '') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16) continue;
    out[name] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return out;
}

/** /proc/self/mountinfo → v1 controller name → mount point, and the cgroup2 mount point. */
export function parseCgroupMounts(mountinfo: string): { v1: Record<string, string>; v2: string | null } {
  const v1: Record<string, string> = {};
  let v2: string | null = null;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const mountPoint = pre[4];
    if (!mountPoint) continue;
    if (post[0] === 'cgroup2') { v2 ??= mountPoint; continue; }
    if (post[0] !== 'cgroup') continue;
    for (const opt of (post[2] ?? '').split(',')) {
      if (['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'cpuset'].includes(opt) && v1[opt] === undefined) v1[opt] = mountPoint;
    }
  }
  return { v1, v2 };
}
