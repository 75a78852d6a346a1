// berth update [OPTIONS] CONTAINER...: docker update. The flags become the UpdateConfig
// docker CLI 28 sends (every resource field, zero meaning "leave as is"; PidsLimit only when
// given; the restart policy only when --restart was given), applied to each container.
import type { UpdateConfig } from '../../../api/types/index.ts';
import { InvalidArgumentError, messageOf } from '../../../lib/index.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { parseCpus, ramInBytes } from '../../opts/mem-bytes.ts';
import { parseUint16 } from '../../opts/resource-flags.ts';
import { parseRestartPolicy } from '../../opts/restart-policy.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { eachContainer } from '../each-container.ts';
import { writeOut } from '../../write-out.ts';

interface UpdateOptions {
  blkioWeight?: string; cpuPeriod?: string; cpuQuota?: string; cpuRtPeriod?: string; cpuRtRuntime?: string;
  cpuShares?: string; cpus?: string; cpusetCpus?: string; cpusetMems?: string; kernelMemory?: string; memory?: string;
  memoryReservation?: string; memorySwap?: string; pidsLimit?: string; restart?: string;
}

const FLAGS: Record<keyof UpdateOptions, string> = {
  blkioWeight: '--blkio-weight', cpuPeriod: '--cpu-period', cpuQuota: '--cpu-quota', cpuRtPeriod: '--cpu-rt-period',
  cpuRtRuntime: '--cpu-rt-runtime', cpuShares: '-c, --cpu-shares', cpus: '--cpus', cpusetCpus: '--cpuset-cpus',
  cpusetMems: '--cpuset-mems', kernelMemory: '--kernel-memory', memory: '-m, --memory', memoryReservation: '--memory-reservation',
  memorySwap: '--memory-swap', pidsLimit: '--pids-limit', restart: '--restart',
};

function parseInt64(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new InvalidArgumentError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function value<T>(o: UpdateOptions, k: keyof UpdateOptions, parse: (v: string) => T, def: T): T {
  const v = o[k];
  if (v === undefined) return def;
  try {
    return parse(v);
  } catch (e) {
    throw new FlagValueError(FLAGS[k], v, messageOf(e));
  }
}

/** The request body docker CLI 28 builds from these flags. */
export function updateConfigOf(o: UpdateOptions): UpdateConfig {
  const memSwap = (v: string): number => (v === '-1' ? -1 : ramInBytes(v));
  const body: UpdateConfig = {
    BlkioWeight: value(o, 'blkioWeight', parseUint16, 0),
    CpusetCpus: o.cpusetCpus ?? '',
    CpusetMems: o.cpusetMems ?? '',
    CpuShares: value(o, 'cpuShares', parseInt64, 0),
    Memory: value(o, 'memory', ramInBytes, 0),
    MemoryReservation: value(o, 'memoryReservation', ramInBytes, 0),
    MemorySwap: value(o, 'memorySwap', memSwap, 0),
    KernelMemory: value(o, 'kernelMemory', ramInBytes, 0),
    CpuPeriod: value(o, 'cpuPeriod', parseInt64, 0),
    CpuQuota: value(o, 'cpuQuota', parseInt64, 0),
    CpuRealtimePeriod: value(o, 'cpuRtPeriod', parseInt64, 0),
    CpuRealtimeRuntime: value(o, 'cpuRtRuntime', parseInt64, 0),
    NanoCpus: value(o, 'cpus', parseCpus, 0),
  };
  const pids = value(o, 'pidsLimit', parseInt64, 0);
  if (pids !== 0) body.PidsLimit = pids;
  if (o.restart !== undefined) {
    const p = value(o, 'restart', parseRestartPolicy, {});
    body.RestartPolicy = { Name: p.Name ?? '', MaximumRetryCount: p.MaximumRetryCount ?? 0 };
  }
  return body;
}

export function updateVerb(): VerbSpec<UpdateOptions> {
  return {
    name: 'update',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Update configuration of one or more containers',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
      .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
      .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
      .option('--cpu-rt-period <int>', 'Limit the CPU real-time period in microseconds')
      .option('--cpu-rt-runtime <int>', 'Limit the CPU real-time runtime in microseconds')
      .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
      .option('--cpus <decimal>', 'Number of CPUs')
      .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
      .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
      .option('--kernel-memory <bytes>', 'Kernel memory limit (deprecated)')
      .option('-m, --memory <bytes>', 'Memory limit')
      .option('--memory-reservation <bytes>', 'Memory soft limit')
      .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
      .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
      .option('--restart <string>', 'Restart policy to apply when a container exits'),
    action: async ({ ctx, args, opts, client }) => {
      if (Object.values(opts).every((v) => v === undefined)) {
        throw new StatusError(1, 'you must provide one or more flags when using this command');
      }
      const body = updateConfigOf(opts);
      await eachContainer(ctx, args, async (name) => {
        const r = await client().containers.update(name, body);
        for (const w of r.Warnings ?? []) await writeOut(ctx.err, `WARNING: ${w}\n`);
      });
    },
  };
}
