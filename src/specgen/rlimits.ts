// process.rlimits: Docker's default RLIMIT_NOFILE plus HostConfig.Ulimits, each clamped to the
// daemon's own hard limit. A hard limit above the caller's fails in both runtimes without
// CAP_SYS_RESOURCE (PLATFORM.md §1.7: this host's root has hard NOFILE 20000, and Docker's
// usual 1048576 fails), so clamping is what makes `docker run` work at all here.
import type { Ulimit } from '../api/types/index.ts';
import type { OciRlimit } from '../oci/index.ts';
import { InvalidSpecInputError } from './errors.ts';

/** What dockerd's containers get when nothing is asked for (dockerd runs with LimitNOFILE=1048576). */
export const DEFAULT_NOFILE = 1048576;

/** The names docker accepts for --ulimit (go-units ulimit.go). */
const ULIMIT_NAMES: ReadonlySet<string> = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss',
  'rtprio', 'rttime', 'sigpending', 'stack',
]);

/** -1 is "unlimited" (RLIM_INFINITY); it is clamped like any other value. */
function limitValue(v: number): number {
  return v < 0 ? Number.MAX_SAFE_INTEGER : v;
}

export function buildRlimits(ulimits: readonly Ulimit[] | null | undefined, hardLimits: Readonly<Record<string, number>>): OciRlimit[] {
  const byName = new Map<string, { soft: number; hard: number }>([['nofile', { soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE }]]);
  for (const u of ulimits ?? []) {
    const name = u.Name.toLowerCase();
    if (!ULIMIT_NAMES.has(name)) throw new InvalidSpecInputError(`invalid ulimit type: ${u.Name}`);
    if (u.Soft >= 0 && u.Hard >= 0 && u.Soft > u.Hard) {
      throw new InvalidSpecInputError(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    }
    byName.set(name, { soft: u.Soft, hard: u.Hard });
  }
  return [...byName].map(([name, { soft, hard }]) => {
    const type = `RLIMIT_${name.toUpperCase()}`;
    const max = hardLimits[type];
    let h = limitValue(hard);
    if (max !== undefined) h = Math.min(h, max);
    return { type, hard: h, soft: Math.min(limitValue(soft), h) };
  });
}
