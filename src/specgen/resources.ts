// linux.resources from HostConfig (moby daemon/oci_linux.go WithResources, getMemoryResources,
// getCPUResources, getPidsLimit, getBlkioWeightDevices, getBlkioThrottleDevices) and the
// device cgroup rules (WithDevices). Host paths (--device, --device-read-bps, …) are
// resolved to device numbers by the caller (SpecInput.hostDevicesByPath); an unknown path
// is an error here, worded as moby's.
// blockIO.weight is written only when the create-time check kept it: this kernel has no
// blkio.weight and crun fails creating the container with it (PLATFORM.md §2.2), so
// adaptResources() discards it with Docker's warning on such hosts.
import type { HostConfig, ThrottleDevice, WeightDevice } from '../api/types/index.ts';
import type {
  OciBlockIO, OciCpu, OciDevice, OciDeviceCgroup, OciMemory, OciResources, OciThrottleDevice, OciWeightDevice,
} from '../oci/index.ts';
import { defaultDeviceRules, privilegedDeviceRules } from '../security/index.ts';
import { InvalidSpecInputError } from './errors.ts';

/** CFS period Docker uses for --cpus (100 ms, in µs). */
export const CPU_PERIOD_US = 100_000;

/** A host device node, as the caller found it (stat of the path). */
export type HostDeviceNode = Required<Pick<OciDevice, 'type' | 'major' | 'minor'>> & { fileMode?: number; uid?: number; gid?: number };

export function memoryOf(hc: HostConfig, forUpdate = false): OciMemory | undefined {
  const memory: OciMemory = {};
  const limit = hc.Memory ?? 0;
  if (limit > 0) memory.limit = limit;
  const swap = hc.MemorySwap ?? 0;
  if (swap > 0) memory.swap = swap;
  // moby's create sets MemorySwap = 2 × Memory when only Memory is given; -1 is unlimited,
  // which is the runtime's default at create, and has to be written on update.
  else if (swap === 0 && limit > 0) memory.swap = limit * 2;
  else if (swap === -1 && forUpdate) memory.swap = -1;
  const reservation = hc.MemoryReservation ?? 0;
  if (reservation > 0) memory.reservation = reservation;
  const swappiness = hc.MemorySwappiness;
  if (!forUpdate && swappiness !== undefined && swappiness !== null && swappiness >= 0) memory.swappiness = swappiness;
  if (!forUpdate && hc.OomKillDisable === true) memory.disableOOMKiller = true;
  return Object.keys(memory).length > 0 ? memory : undefined;
}

export function cpuOf(hc: HostConfig): OciCpu | undefined {
  const cpu: OciCpu = {};
  const shares = hc.CpuShares ?? 0;
  if (shares < 0) throw new InvalidSpecInputError('shares: invalid argument');
  if (shares > 0) cpu.shares = shares;
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0) {
    cpu.period = CPU_PERIOD_US;
    cpu.quota = Math.floor((nano * CPU_PERIOD_US) / 1e9);
  } else {
    if ((hc.CpuPeriod ?? 0) > 0) cpu.period = hc.CpuPeriod!;
    if ((hc.CpuQuota ?? 0) !== 0) cpu.quota = hc.CpuQuota!;
  }
  if ((hc.CpuRealtimePeriod ?? 0) > 0) cpu.realtimePeriod = hc.CpuRealtimePeriod!;
  if ((hc.CpuRealtimeRuntime ?? 0) !== 0) cpu.realtimeRuntime = hc.CpuRealtimeRuntime!;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

function nodeOf(path: string, nodes: Readonly<Record<string, HostDeviceNode>>, what: string): HostDeviceNode {
  const n = nodes[path];
  if (n === undefined) throw new InvalidSpecInputError(`${what} ${path}: no such file or directory`);
  return n;
}

function throttle(list: readonly ThrottleDevice[] | null | undefined, nodes: Readonly<Record<string, HostDeviceNode>>): OciThrottleDevice[] {
  return (list ?? []).map((t) => {
    const n = nodeOf(t.Path, nodes, 'lstat');
    return { major: n.major, minor: n.minor, rate: t.Rate };
  });
}

function blockIOOf(hc: HostConfig, nodes: Readonly<Record<string, HostDeviceNode>>): OciBlockIO | undefined {
  const b: OciBlockIO = {};
  if ((hc.BlkioWeight ?? 0) > 0) b.weight = hc.BlkioWeight!;
  const weights: OciWeightDevice[] = (hc.BlkioWeightDevice ?? []).map((w: WeightDevice) => {
    const n = nodeOf(w.Path, nodes, 'lstat');
    return { major: n.major, minor: n.minor, weight: w.Weight };
  });
  if (weights.length > 0) b.weightDevice = weights;
  const rb = throttle(hc.BlkioDeviceReadBps, nodes);
  if (rb.length > 0) b.throttleReadBpsDevice = rb;
  const wb = throttle(hc.BlkioDeviceWriteBps, nodes);
  if (wb.length > 0) b.throttleWriteBpsDevice = wb;
  const ri = throttle(hc.BlkioDeviceReadIOps, nodes);
  if (ri.length > 0) b.throttleReadIOPSDevice = ri;
  const wi = throttle(hc.BlkioDeviceWriteIOps, nodes);
  if (wi.length > 0) b.throttleWriteIOPSDevice = wi;
  return Object.keys(b).length > 0 ? b : undefined;
}

const CGROUP_RULE = /^([acb]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/;

/** --device-cgroup-rule "c 1:3 mr" (moby WithDevices, deviceCgroupRuleRegex). */
export function parseDeviceCgroupRule(rule: string): OciDeviceCgroup {
  const m = CGROUP_RULE.exec(rule.trim());
  if (!m) throw new InvalidSpecInputError(`invalid device cgroup format '${rule}'`);
  const out: OciDeviceCgroup = { allow: true, type: m[1] as 'a' | 'b' | 'c', access: m[4]! };
  if (m[2] !== '*') out.major = Number(m[2]);
  if (m[3] !== '*') out.minor = Number(m[3]);
  return out;
}

/** Device nodes and their cgroup allow rules for HostConfig.Devices (--device). */
export function userDevices(hc: HostConfig, nodes: Readonly<Record<string, HostDeviceNode>>): { devices: OciDevice[]; rules: OciDeviceCgroup[] } {
  const devices: OciDevice[] = [];
  const rules: OciDeviceCgroup[] = [];
  for (const d of hc.Devices ?? []) {
    const n = nodes[d.PathOnHost];
    if (n === undefined) {
      throw new InvalidSpecInputError(`error gathering device information while adding custom device "${d.PathOnHost}": no such file or directory`);
    }
    const dev: OciDevice = { type: n.type, path: d.PathInContainer || d.PathOnHost, major: n.major, minor: n.minor };
    if (n.fileMode !== undefined) dev.fileMode = n.fileMode;
    if (n.uid !== undefined) dev.uid = n.uid;
    if (n.gid !== undefined) dev.gid = n.gid;
    devices.push(dev);
    const type = n.type === 'b' ? 'b' : 'c';
    rules.push({ allow: true, type, major: n.major, minor: n.minor, access: d.CgroupPermissions || 'rwm' });
  }
  return { devices, rules };
}

export function buildResources(hc: HostConfig, privileged: boolean, nodes: Readonly<Record<string, HostDeviceNode>> = {}): OciResources {
  const rules = privileged ? privilegedDeviceRules() : defaultDeviceRules();
  if (!privileged) {
    rules.push(...userDevices(hc, nodes).rules);
    for (const r of hc.DeviceCgroupRules ?? []) rules.push(parseDeviceCgroupRule(r));
  }
  const resources: OciResources = { devices: rules };
  const memory = memoryOf(hc);
  if (memory !== undefined) resources.memory = memory;
  const cpu = cpuOf(hc);
  if (cpu !== undefined) resources.cpu = cpu;
  const pids = hc.PidsLimit ?? 0;
  if (pids > 0) resources.pids = { limit: pids };
  const blockIO = blockIOOf(hc, nodes);
  if (blockIO !== undefined) resources.blockIO = blockIO;
  return resources;
}

/**
 * The resources object `runtime update -r` takes for a live update: the sections an update
 * may change, computed from the merged HostConfig. Unlimited values are written explicitly
 * (pids -1 = "max"), because an update must be able to lift a limit.
 */
export function updateResources(hc: HostConfig): OciResources {
  const out: OciResources = {};
  const memory = memoryOf(hc, true);
  if (memory !== undefined) out.memory = memory;
  const cpu = cpuOf(hc);
  if (cpu !== undefined) out.cpu = cpu;
  const pids = hc.PidsLimit ?? 0;
  out.pids = { limit: pids > 0 ? pids : -1 };
  if ((hc.BlkioWeight ?? 0) > 0) out.blockIO = { weight: hc.BlkioWeight! };
  return out;
}

/** All host paths the resources and devices of `hc` refer to (the caller stats them). */
export function hostPathsOf(hc: HostConfig): string[] {
  const paths = new Set<string>();
  for (const d of hc.Devices ?? []) paths.add(d.PathOnHost);
  for (const list of [hc.BlkioWeightDevice, hc.BlkioDeviceReadBps, hc.BlkioDeviceWriteBps, hc.BlkioDeviceReadIOps, hc.BlkioDeviceWriteIOps]) {
    for (const x of list ?? []) paths.add(x.Path);
  }
  return [...paths];
}
