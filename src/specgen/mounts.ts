// The container's mounts (moby oci/defaults.go DefaultLinuxSpec + daemon/oci_linux.go
// WithMounts): Docker's default /proc, /dev, /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue,
// /dev/shm; the --init binary; then the user's mounts (engine binds, volumes, HostConfig.Tmpfs)
// sorted parents-first. A user mount replaces the default at the same destination, and a
// user /dev replaces every default under /dev.
import type { OciMount } from '../oci/index.ts';
import { tmpfsMountOptions } from './tmpfs-options.ts';
import type { SpecInput } from './spec-input.ts';

/** In-container path of the --init binary (moby inContainerInitPath). */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';

/** Docker's default /dev/shm size (HostConfig.ShmSize when 0). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

function defaultMounts(shmSize: number): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts', type: 'devpts', source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

/** Mounts a read-only rootfs leaves writable (moby WithMounts). */
const WRITABLE_WITH_READONLY_ROOT: ReadonlySet<string> = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

const BIND_MODES: ReadonlySet<string> = new Set(['bind', 'rbind']);

function depth(destination: string): number {
  return destination.split('/').filter((p) => p !== '' && p !== '.').length;
}

function userMounts(input: SpecInput): OciMount[] {
  const out: OciMount[] = input.extraMounts.map((m) => {
    if (m.type === 'tmpfs') {
      return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(m.options) };
    }
    // Both runtimes need "bind"/"rbind" in options to bind; Docker's default is rbind.
    const options = m.options.some((o) => BIND_MODES.has(o)) ? [...m.options] : ['rbind', ...m.options];
    return { destination: m.destination, type: 'bind', source: m.source, options };
  });
  for (const [destination, opts] of Object.entries(input.hostConfig.Tmpfs ?? {})) {
    out.push({ destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(opts) });
  }
  if (input.hostConfig.IpcMode === 'host') {
    out.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  }
  // Parents before children; Array.prototype.sort is stable, so equal depths keep their order.
  return out.sort((a, b) => depth(a.destination) - depth(b.destination));
}

export interface MountContext {
  privileged: boolean;
  readonlyRootfs: boolean;
  /** The --init binary is bind-mounted (the container has its own PID namespace). */
  withInit: boolean;
}

export function buildMounts(input: SpecInput, ctx: MountContext): OciMount[] {
  const user = userMounts(input);
  const userDest = new Set(user.map((m) => m.destination));
  const userDev = userDest.has('/dev');
  const shmSize = input.hostConfig.ShmSize !== undefined && input.hostConfig.ShmSize > 0
    ? input.hostConfig.ShmSize : DEFAULT_SHM_SIZE;

  const defaults = defaultMounts(shmSize).filter((m) => {
    if (userDest.has(m.destination)) return false;
    if (userDev && m.destination.startsWith('/dev/')) return false;
    return !(m.destination === '/dev/shm' && input.hostConfig.IpcMode === 'none');
  });
  if (ctx.withInit && input.initPath !== undefined && !userDest.has(INIT_PATH_IN_CONTAINER)) {
    defaults.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: input.initPath, options: ['bind', 'ro'] });
  }
  for (const m of defaults) {
    let options = m.options ?? [];
    if (ctx.readonlyRootfs && !WRITABLE_WITH_READONLY_ROOT.has(m.destination) && !options.includes('ro')) {
      options = [...options, 'ro'];
    }
    // A privileged container may write /sys and its cgroups (moby clearReadOnly).
    if (ctx.privileged && (m.destination === '/sys' || m.type === 'cgroup')) {
      options = options.filter((o) => o !== 'ro');
    }
    m.options = options;
  }
  return [...defaults, ...user];
}

/**
 * linux.rootfsPropagation needed by the user's binds: a shared bind needs a shared rootfs,
 * a slave bind an rslave one (moby WithMounts; the host-side check of the source's own
 * propagation is the caller's).
 */
export function rootfsPropagationFor(mounts: readonly OciMount[]): 'shared' | 'rslave' | undefined {
  const opts = mounts.filter((m) => m.type === 'bind').flatMap((m) => m.options ?? []);
  if (opts.some((o) => o === 'shared' || o === 'rshared')) return 'shared';
  if (opts.some((o) => o === 'slave' || o === 'rslave')) return 'rslave';
  return undefined;
}
