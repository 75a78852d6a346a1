// Host facts read once at start, and the host preparation crun needs on hybrid-cgroup hosts
// (PLATFORM.md §2.6): crun refuses to run when the cgroup2 hierarchy has controllers while
// v1 ones are mounted, so the hugetlb controller is moved to v1, idempotently. When that is
// refused, berthd falls back to runc and says so.
import { readFile, access, mkdir, rmdir, readdir } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { execTool, goArch, type Logger } from '../lib/index.ts';
import type { DockerSeccompProfile, HostFacts } from '../specgen/index.ts';
import { KNOWN_CAPABILITIES, withDockerParity } from '../security/index.ts';
import { resourceCaps } from './resource-caps.ts';

const SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** Hard limits of this process by OCI rlimit name (Node has no getrlimit: read /proc). */
export async function hardLimits(): Promise<Record<string, number>> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const names: Record<string, string> = {
    'Max open files': 'RLIMIT_NOFILE', 'Max processes': 'RLIMIT_NPROC', 'Max core file size': 'RLIMIT_CORE',
    'Max locked memory': 'RLIMIT_MEMLOCK', 'Max stack size': 'RLIMIT_STACK', 'Max file size': 'RLIMIT_FSIZE',
    'Max cpu time': 'RLIMIT_CPU', 'Max data size': 'RLIMIT_DATA', 'Max address space': 'RLIMIT_AS',
    'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
    'Max pending signals': 'RLIMIT_SIGPENDING', 'Max file locks': 'RLIMIT_LOCKS', 'Max resident set': 'RLIMIT_RSS',
  };
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    for (const [label, name] of Object.entries(names)) {
      if (!line.startsWith(label)) continue;
      const hard = line.slice(label.length).trim().split(/\s+/)[1];
      out[name] = hard === undefined || hard === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(hard);
    }
  }
  return out;
}

export async function cgroupVersion(): Promise<1 | 2> {
  return access('/sys/fs/cgroup/cgroup.controllers').then(() => 2 as const, () => 1 as const);
}

export async function hostFacts(log: Logger): Promise<HostFacts> {
  let seccompProfile: DockerSeccompProfile | null = null;
  try {
    // containers-common's profile is laxer than Docker's (PLATFORM.md §5.1): tightened here.
    seccompProfile = withDockerParity(JSON.parse(await readFile(SECCOMP_PROFILE, 'utf8')) as DockerSeccompProfile);
  } catch {
    log.warn({ path: SECCOMP_PROFILE }, 'no default seccomp profile found: containers run without seccomp (install golang-github-containers-common)');
  }
  const version = await cgroupVersion();
  return {
    arch: goArch(),
    kernel: release().split('-')[0] ?? release(),
    hardLimits: await hardLimits(),
    seccompProfile,
    cgroupVersion: version,
    capabilities: await boundingCapabilities(),
    resources: await resourceCaps(version),
  };
}

/**
 * The daemon's own bounding set (CapBnd of /proc/self/status) as "CAP_…" names: a privileged
 * container gets exactly these, since a runtime cannot grant more (capset fails otherwise).
 */
export async function boundingCapabilities(): Promise<string[] | undefined> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) return undefined;
  const mask = BigInt(`0x${m[1]}`);
  return KNOWN_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** Makes crun usable on a hybrid host; returns false when it cannot be (use runc). */
export async function prepareForCrun(log: Logger): Promise<boolean> {
  const unified = '/sys/fs/cgroup/unified/cgroup.controllers';
  const controllers = (await readFile(unified, 'utf8').catch(() => '')).trim();
  if (controllers === '') return true;
  if (controllers.split(/\s+/).some((c) => c !== 'hugetlb')) return false;
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  if (!/\bhugetlb\b/.test(mountinfo)) {
    await mkdir('/sys/fs/cgroup/hugetlb', { recursive: true }).catch(() => undefined);
    const r = await execTool('mount', ['-t', 'cgroup', '-o', 'hugetlb', 'cgroup', '/sys/fs/cgroup/hugetlb'], { allowFailure: true });
    if (r.code !== 0) {
      log.warn({ stderr: r.stderr.trim() }, 'could not move the hugetlb cgroup controller to v1');
      return false;
    }
    log.info({}, 'moved the hugetlb cgroup controller to cgroup v1 so crun can run on this hybrid host');
  }
  return (await readFile(unified, 'utf8').catch(() => '')).trim() === '';
}

/**
 * Removes the cgroup parent berthd's containers lived in, once none runs: first any child
 * left by a `runtime delete` still in flight or failed (rmdir refuses a cgroup that has
 * processes, so nothing alive is touched), then the parent itself.
 */
export async function removeCgroupParent(parent: string): Promise<void> {
  const rel = parent.replace(/^\/+/, '');
  if (!rel) return;
  const roots = await readdir('/sys/fs/cgroup').catch(() => [] as string[]);
  await Promise.all(roots.map(async (r) => {
    const dir = join('/sys/fs/cgroup', r, rel);
    const children = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(children.filter((c) => c.isDirectory()).map((c) => rmdir(join(dir, c.name)).catch(() => undefined)));
    await rmdir(dir).catch(() => undefined);
  }));
}

/** The first of `candidates` that exists. */
export async function firstExisting(candidates: string[]): Promise<string | null> {
  for (const c of candidates) {
    if (await access(c).then(() => true, () => false)) return c;
  }
  return null;
}
