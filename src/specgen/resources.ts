// linux.resources from HostConfig (moby daemon/oci_linux.go WithResources, getMemoryResources,
// getCPUResources, getPidsLimit) and the device cgroup rules (WithDevices).
// blockIO.weight is never written: this kernel has no blkio.weight and crun fails creating the
// container with it (PLATFORM.md §2.2); moby writes weight 0, which runc skips anyway.
import type { HostConfig } from '../api/types/index.ts';
import type { OciCpu, OciMemory, OciResources } from '../oci/index.ts';
import { defaultDeviceRules, privilegedDeviceRules } from '../security/index.ts';
import { InvalidSpecInputError } from './errors.ts';

/** CFS period Docker uses for --cpus (100 ms, in µs). */
export const CPU_PERIOD_US = 100_000;

function memoryOf(hc: HostConfig): OciMemory | undefined {
  const memory: OciMemory = {};
  const limit = hc.Memory ?? 0;
  if (limit > 0) memory.limit = limit;
  const swap = hc.MemorySwap ?? 0;
  if (swap > 0) memory.swap = swap;
  // moby's create sets MemorySwap = 2 × Memory when only Memory is given; -1 is unlimited.
  else if (swap === 0 && limit > 0) memory.swap = limit * 2;
  return Object.keys(memory).length > 0 ? memory : undefined;
}

function cpuOf(hc: HostConfig): OciCpu | undefined {
  const cpu: OciCpu = {};
  const shares = hc.CpuShares ?? 0;
  if (shares < 0) throw new InvalidSpecInputError('shares: invalid argument');
  if (shares > 0) cpu.shares = shares;
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0) {
    cpu.period = CPU_PERIOD_US;
    cpu.quota = Math.floor((nano * CPU_PERIOD_US) / 1e9);
  }
  return Object.keys(cpu).length > 0 ? cpu : undefined;
}

export function buildResources(hc: HostConfig, privileged: boolean): OciResources {
  const resources: OciResources = { devices: privileged ? privilegedDeviceRules() : defaultDeviceRules() };
  const memory = memoryOf(hc);
  if (memory !== undefined) resources.memory = memory;
  const cpu = cpuOf(hc);
  if (cpu !== undefined) resources.cpu = cpu;
  const pids = hc.PidsLimit ?? 0;
  if (pids > 0) resources.pids = { limit: pids };
  return resources;
}
