// Docker's checks and adjustments of HostConfig resources, at create and on update (moby
// daemon/daemon_unix.go verifyPlatformContainerResources and adaptContainerSettings,
// container/container_unix.go UpdateContainer). Errors and warnings are moby's wording: the
// docker CLI prints the warnings ("WARNING: …") and the error message as they come.
// Pure: what the host can do comes in as ResourceCaps (read once at daemon start).
import type { HostConfig, UpdateConfig } from '../api/types/index.ts';
import { ConflictError } from '../lib/index.ts';
import { InvalidSpecInputError } from './errors.ts';
import type { ResourceCaps } from './spec-input.ts';

const MIN_MEMORY = 6 * 1024 * 1024;
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262144;

export interface AdaptedResources {
  hostConfig: HostConfig;
  warnings: string[];
}

/** parsers.ParseUintList: "0-2,4" → {0,1,2,4}; null when malformed. */
export function parseCpuList(list: string): Set<number> | null {
  const out = new Set<number>();
  if (list === '') return out;
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return null;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out;
}

function checkCpuset(value: string | undefined, available: string, what: 'cpus' | 'mems'): void {
  if (!value) return;
  const want = parseCpuList(value);
  if (want === null) throw new InvalidSpecInputError(`Invalid value ${value} for cpuset ${what}: invalid format: ${value}`);
  const have = parseCpuList(available) ?? new Set<number>();
  for (const n of want) {
    if (!have.has(n)) {
      throw new InvalidSpecInputError(what === 'cpus'
        ? `Requested CPUs are not available - requested ${value}, available: ${available}`
        : `Requested memory nodes are not available - requested ${value}, available: ${available}`);
    }
  }
}

/** What a host without ResourceCaps is assumed to support (no discarding). */
const PERMISSIVE: ResourceCaps = {
  ncpu: Number.MAX_SAFE_INTEGER, cpus: '', mems: '', swapLimit: true, oomKillDisable: true, blkioWeight: true,
  blkioWeightDevice: true, swappiness: true, cpuRealtime: true,
};

/**
 * Validates the resources of `input` and returns the HostConfig as Docker stores it
 * (MemorySwap defaulted to 2×Memory, CpuShares clamped, PidsLimit ≤ 0 as unlimited,
 * unsupported settings discarded with a warning). Throws Docker's error for bad values.
 */
export function adaptResources(input: HostConfig, caps: ResourceCaps | undefined, update = false): AdaptedResources {
  const c = caps ?? PERMISSIVE;
  const hc: HostConfig = { ...input };
  const warnings: string[] = [];
  const memory = hc.Memory ?? 0;
  const swap = hc.MemorySwap ?? 0;

  // Memory
  if (memory !== 0 && memory < MIN_MEMORY) throw new InvalidSpecInputError('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap !== -1 && !c.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    hc.MemorySwap = -1;
  }
  if (memory > 0 && swap > 0 && swap < memory) {
    throw new InvalidSpecInputError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory === 0 && swap > 0 && !update) {
    throw new InvalidSpecInputError('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (!update && memory > 0 && swap === 0 && c.swapLimit) hc.MemorySwap = memory * 2;
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1) {
    if (!c.swappiness) {
      warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
      hc.MemorySwappiness = null;
    } else if (swappiness < 0 || swappiness > 100) {
      throw new InvalidSpecInputError(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
    }
  }
  const reservation = hc.MemoryReservation ?? 0;
  if (reservation > 0 && reservation < MIN_MEMORY) throw new InvalidSpecInputError('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw new InvalidSpecInputError('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if ((hc.KernelMemory ?? 0) !== 0) {
    warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
    hc.KernelMemory = 0;
  }
  if (hc.OomKillDisable === true) {
    if (!c.oomKillDisable) {
      warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
      hc.OomKillDisable = false;
    } else if (memory === 0) {
      warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
    }
  }
  // PIDs: 0 and negative mean unlimited.
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit <= 0) hc.PidsLimit = null;

  // CPU
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0 && (hc.CpuPeriod ?? 0) > 0) throw new InvalidSpecInputError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (hc.CpuQuota ?? 0) > 0) throw new InvalidSpecInputError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > c.ncpu * 1e9) {
    throw new InvalidSpecInputError(`Range of CPUs is from 0.01 to ${c.ncpu}.00, as there are only ${c.ncpu} CPUs available`);
  }
  const shares = hc.CpuShares ?? 0;
  if (shares < 0) throw new InvalidSpecInputError('shares: invalid argument');
  if (shares > 0 && shares < MIN_CPU_SHARES) {
    warnings.push(`Changing requested CPUShares of ${shares} to minimum allowed of ${MIN_CPU_SHARES}`);
    hc.CpuShares = MIN_CPU_SHARES;
  } else if (shares > MAX_CPU_SHARES) {
    warnings.push(`Changing requested CPUShares of ${shares} to maximum allowed of ${MAX_CPU_SHARES}`);
    hc.CpuShares = MAX_CPU_SHARES;
  }
  const period = hc.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw new InvalidSpecInputError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = hc.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw new InvalidSpecInputError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  const rtPeriod = hc.CpuRealtimePeriod ?? 0;
  const rtRuntime = hc.CpuRealtimeRuntime ?? 0;
  if ((rtPeriod !== 0 || rtRuntime !== 0) && !c.cpuRealtime) throw new InvalidSpecInputError('Your kernel does not support CPU real-time scheduler');
  if (rtPeriod !== 0 && rtRuntime > rtPeriod) throw new InvalidSpecInputError('cpu-rt-runtime cannot be higher than cpu-rt-period');
  // A v1 cpu cgroup made by the runtime has cpu.rt_runtime_us 0, so a container's budget must
  // come from its parents; dockerd gives them one with its --cpu-rt-runtime option, which
  // berthd does not have (yet). Writing the container's value alone fails with EINVAL.
  if (rtRuntime !== 0) {
    throw new InvalidSpecInputError('--cpu-rt-runtime cannot be applied: berthd gives its cgroup parent no real-time CPU budget (dockerd\'s --cpu-rt-runtime daemon option has no berthd equivalent yet)');
  }
  if (caps !== undefined) {
    checkCpuset(hc.CpusetCpus, c.cpus, 'cpus');
    checkCpuset(hc.CpusetMems, c.mems, 'mems');
  }

  if ((hc.CgroupParent ?? '').split('/').includes('..')) throw new InvalidSpecInputError(`invalid cgroup parent: ${hc.CgroupParent}`);

  // Block I/O
  const weight = hc.BlkioWeight ?? 0;
  if (weight > 0 && !c.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    hc.BlkioWeight = 0;
  } else if (weight > 0 && (weight < 10 || weight > 1000)) {
    throw new InvalidSpecInputError('Range of blkio weight is from 10 to 1000');
  }
  if ((hc.BlkioWeightDevice ?? []).length > 0) {
    if (!c.blkioWeightDevice) {
      warnings.push('Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.');
      hc.BlkioWeightDevice = [];
    } else {
      for (const w of hc.BlkioWeightDevice!) {
        if (w.Weight < 10 || w.Weight > 1000) throw new InvalidSpecInputError(`invalid weight for device: ${w.Weight}`);
      }
    }
  }
  for (const [name, list] of [['BlkioDeviceReadBps', hc.BlkioDeviceReadBps], ['BlkioDeviceWriteBps', hc.BlkioDeviceWriteBps],
    ['BlkioDeviceReadIOps', hc.BlkioDeviceReadIOps], ['BlkioDeviceWriteIOps', hc.BlkioDeviceWriteIOps]] as const) {
    for (const t of list ?? []) {
      if (!t.Path.startsWith('/')) throw new InvalidSpecInputError(`${t.Path} is not an absolute path (${name})`);
      if (t.Rate < 0) throw new InvalidSpecInputError(`invalid rate for device: ${t.Rate}. The number has to be a non-negative integer`);
    }
  }
  for (const d of hc.Devices ?? []) {
    if (!/^[rwm]{0,3}$/.test(d.CgroupPermissions ?? '')) throw new InvalidSpecInputError(`invalid device mode: ${d.CgroupPermissions}`);
    if (!d.PathOnHost.startsWith('/')) throw new InvalidSpecInputError(`${d.PathOnHost} is not an absolute path`);
  }
  return { hostConfig: hc, warnings };
}

function cannotUpdate(id: string, message: string): ConflictError {
  return new ConflictError(`Cannot update container ${id}: ${message}`, { code: 'BERTH_UPDATE_CONFLICT' });
}

/**
 * POST /containers/{id}/update: the container's HostConfig with the update applied (zero
 * fields leave a setting as it is), checked as moby's UpdateContainer does, then validated
 * like a create. Returns the new HostConfig and the warnings.
 */
export function mergeUpdate(id: string, current: HostConfig, u: UpdateConfig, caps: ResourceCaps | undefined): AdaptedResources {
  if ((u.NanoCpus ?? 0) > 0 && (current.CpuPeriod ?? 0) > 0) throw cannotUpdate(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if ((u.NanoCpus ?? 0) > 0 && (current.CpuQuota ?? 0) > 0) throw cannotUpdate(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if ((u.CpuPeriod ?? 0) > 0 && (current.NanoCpus ?? 0) > 0) throw cannotUpdate(id, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if ((u.CpuQuota ?? 0) > 0 && (current.NanoCpus ?? 0) > 0) throw cannotUpdate(id, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  const next: HostConfig = { ...current };
  const memory = u.Memory ?? 0;
  const swap = u.MemorySwap ?? 0;
  if (memory !== 0) {
    if (swap === 0 && (current.MemorySwap ?? 0) > 0 && memory > current.MemorySwap!) {
      throw cannotUpdate(id, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    next.Memory = memory;
    // A first memory limit gets Docker's create-time default swap (2×).
    if (swap === 0 && (current.MemorySwap ?? 0) === 0) next.MemorySwap = memory * 2;
  }
  if (swap !== 0) next.MemorySwap = swap;
  if ((u.MemoryReservation ?? 0) !== 0) next.MemoryReservation = u.MemoryReservation!;
  if ((u.CpuShares ?? 0) !== 0) next.CpuShares = u.CpuShares!;
  if ((u.NanoCpus ?? 0) !== 0) next.NanoCpus = u.NanoCpus!;
  if ((u.CpuPeriod ?? 0) !== 0) next.CpuPeriod = u.CpuPeriod!;
  if ((u.CpuQuota ?? 0) !== 0) next.CpuQuota = u.CpuQuota!;
  if ((u.CpuRealtimePeriod ?? 0) !== 0) next.CpuRealtimePeriod = u.CpuRealtimePeriod!;
  if ((u.CpuRealtimeRuntime ?? 0) !== 0) next.CpuRealtimeRuntime = u.CpuRealtimeRuntime!;
  if (u.CpusetCpus) next.CpusetCpus = u.CpusetCpus;
  if (u.CpusetMems) next.CpusetMems = u.CpusetMems;
  if ((u.BlkioWeight ?? 0) !== 0) next.BlkioWeight = u.BlkioWeight!;
  if (u.PidsLimit !== undefined && u.PidsLimit !== null) next.PidsLimit = u.PidsLimit;
  if (u.RestartPolicy && (u.RestartPolicy.Name ?? '') !== '') {
    if (current.AutoRemove) throw cannotUpdate(id, 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    next.RestartPolicy = { Name: u.RestartPolicy.Name, MaximumRetryCount: u.RestartPolicy.MaximumRetryCount ?? 0 };
  }
  // Only what this update set is checked against the host (an old setting stays as it is).
  const checked = adaptResources({
    ...next,
    OomKillDisable: null, MemorySwappiness: null, KernelMemory: 0,
    BlkioWeight: (u.BlkioWeight ?? 0) !== 0 ? u.BlkioWeight! : 0,
    BlkioWeightDevice: [], Devices: [],
  }, caps, true);
  const hostConfig: HostConfig = {
    ...checked.hostConfig,
    OomKillDisable: current.OomKillDisable ?? false, MemorySwappiness: current.MemorySwappiness ?? null,
    KernelMemory: current.KernelMemory ?? 0, BlkioWeightDevice: current.BlkioWeightDevice ?? [], Devices: current.Devices ?? [],
    BlkioWeight: (u.BlkioWeight ?? 0) !== 0 ? checked.hostConfig.BlkioWeight ?? 0 : current.BlkioWeight ?? 0,
  };
  return { hostConfig, warnings: checked.warnings };
}

/** The resource fields of HostConfig as docker inspect shows them when unset (cgroup v1 host). */
export const RESOURCE_DEFAULTS: HostConfig = {
  CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [],
  BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0,
  CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null,
  MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: false, PidsLimit: null, Ulimits: [],
  CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0,
};
