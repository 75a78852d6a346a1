// What the host's cgroups can limit (moby pkg/sysinfo), read once at daemon start for
// Docker's create/update checks (specgen adaptResources): v1 files under
// /sys/fs/cgroup/<controller>, or the cgroup2 root's controllers.
import { access, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { ResourceCaps } from '../specgen/index.ts';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);
const text = async (p: string, def: string): Promise<string> => (await readFile(p, 'utf8').catch(() => def)).trim();

export async function resourceCaps(cgroupVersion: 1 | 2, root = '/sys/fs/cgroup'): Promise<ResourceCaps> {
  const ncpu = cpus().length;
  if (cgroupVersion === 2) {
    const controllers = new Set((await text(`${root}/cgroup.controllers`, '')).split(/\s+/));
    return {
      ncpu,
      cpus: await text(`${root}/cpuset.cpus.effective`, `0-${ncpu - 1}`),
      mems: await text(`${root}/cpuset.mems.effective`, '0'),
      swapLimit: controllers.has('memory'),
      oomKillDisable: false,
      blkioWeight: controllers.has('io') && await exists(`${root}/io.weight`) || await exists(`${root}/io.bfq.weight`),
      blkioWeightDevice: controllers.has('io') && await exists(`${root}/io.weight`),
      swappiness: false,
      cpuRealtime: false,
    };
  }
  return {
    ncpu,
    cpus: await text(`${root}/cpuset/cpuset.cpus`, `0-${ncpu - 1}`),
    mems: await text(`${root}/cpuset/cpuset.mems`, '0'),
    swapLimit: await exists(`${root}/memory/memory.memsw.limit_in_bytes`),
    oomKillDisable: await exists(`${root}/memory/memory.oom_control`),
    blkioWeight: await exists(`${root}/blkio/blkio.weight`),
    blkioWeightDevice: await exists(`${root}/blkio/blkio.weight_device`),
    swappiness: await exists(`${root}/memory/memory.swappiness`),
    cpuRealtime: await exists(`${root}/cpu/cpu.rt_runtime_us`),
  };
}
