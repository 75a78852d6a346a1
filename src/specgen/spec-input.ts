// The resolved inputs of OCI spec generation. Everything here is already looked up by the
// caller (container/ops/start.ts): the image config merged with the create request, the
// user resolved to numbers, host facts read once at daemon start. generateSpec() is a pure
// function of this value, so it is tested by tables of cases without root.

import type { HostConfig } from '../api/types/index.ts';
import type { OciDevice, OciDeviceCgroup, OciIdMapping } from '../oci/index.ts';
import type { DockerSeccompProfile } from '../security/index.ts';
import type { HostDeviceNode } from './resources.ts';

export interface HostFacts {
  /** Go-style arch of the host ("amd64", "arm64"): used for seccomp archMap and includes/excludes. */
  arch: string;
  /** Running kernel version, e.g. "6.18.44". */
  kernel: string;
  /** The daemon's own hard rlimits by OCI name (RLIMIT_NOFILE …): container rlimits are clamped to them. */
  hardLimits: Record<string, number>;
  /** The parsed Docker-format seccomp profile (e.g. /usr/share/containers/seccomp.json), or null if absent. */
  seccompProfile: DockerSeccompProfile | null;
  /** cgroup version of the host's controllers: 1 (v1 or hybrid) or 2 (unified). */
  cgroupVersion: 1 | 2;
  /**
   * The daemon's own capabilities (its bounding set, "CAP_…" names). A privileged container
   * gets exactly these, and --cap-add of anything else is refused, as Docker does: a runtime
   * cannot grant what its caller lacks (this host's root lacks CAP_SYS_RESOURCE). All known
   * capabilities if absent.
   */
  capabilities?: string[];
  /** What the host's cgroups can limit (read once at daemon start); Docker's checks use it. */
  resources?: ResourceCaps;
}

/** moby pkg/sysinfo, the parts the resource checks need. */
export interface ResourceCaps {
  /** Online CPUs (NCPU). */
  ncpu: number;
  /** cpuset.cpus / cpuset.mems of the root cpuset ("0-1", "0"). */
  cpus: string;
  mems: string;
  /** memsw accounting (v1 memory.memsw.limit_in_bytes, v2 memory.swap.max). */
  swapLimit: boolean;
  /** v1 memory.oom_control (v2 cannot disable the OOM killer). */
  oomKillDisable: boolean;
  /** v1 blkio.weight / v2 io.weight: absent on kernels without CFQ (PLATFORM.md §2.2). */
  blkioWeight: boolean;
  blkioWeightDevice: boolean;
  /** v1 memory.swappiness (v2 has none). */
  swappiness: boolean;
  /** v1 cpu.rt_runtime_us. */
  cpuRealtime: boolean;
}

// The Docker-format seccomp profile types live in security (the converter's input); they are
// re-exported here under the same names for callers that build a SpecInput.
export type { DockerSeccompProfile, DockerSeccompRule } from '../security/index.ts';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface ExtraMount {
  destination: string;
  source: string;
  type: 'bind' | 'tmpfs';
  options: string[];
}

export interface SpecInput {
  /** Full 64-hex container id. */
  id: string;
  /** Absolute path of the mounted root filesystem (overlay merged dir). */
  rootfsPath: string;
  /** argv of the container's process (entrypoint + cmd, already merged with the image). */
  args: string[];
  /** Final environment (image env overlaid by the request's), "K=V" strings; PATH default added by the generator if missing. */
  env: string[];
  /** Working directory, absolute; "/" if empty. */
  cwd: string;
  user: ResolvedUser;
  hostname: string;
  domainname?: string;
  tty: boolean;
  /** Keep stdin open (OpenStdin). */
  openStdin: boolean;
  hostConfig: HostConfig;
  /** Binds for /etc/hosts, /etc/hostname, /etc/resolv.conf made by the engine, plus volumes. */
  extraMounts: ExtraMount[];
  /** Path of the container's network namespace, "host" to share the host's, or "private" for a new empty one. */
  netns: string | 'host' | 'private';
  /** cgroupsPath for linux.cgroupsPath, e.g. "/berth/<id>". */
  cgroupsPath: string;
  /** When set (docker run --init), the init binary's host path: bind-mounted at /sbin/docker-init and put first in args. */
  initPath?: string;
  host: HostFacts;
  /**
   * HostConfig.MaskedPaths / ReadonlyPaths when the request carries them (the docker CLI sends
   * [] for `--security-opt systempaths=unconfined`); Docker's defaults when absent.
   */
  maskedPaths?: string[] | null;
  readonlyPaths?: string[] | null;
  /** Namespaces to join for `container:<id>` PidMode / IpcMode, e.g. "/proc/<pid>/ns/pid". */
  namespacePaths?: { pid?: string; ipc?: string };
  /** The host's device nodes (from /dev), given to privileged containers. */
  hostDevices?: OciDevice[];
  /** Device nodes of HostConfig.Devices (--device), looked up on the host by the caller. */
  devices?: OciDevice[];
  /** Extra device cgroup allow rules: one per --device, plus HostConfig.DeviceCgroupRules. */
  deviceRules?: OciDeviceCgroup[];
  /**
   * --userns-remap: the container gets its own user namespace with these mappings (container
   * root → an unprivileged host id). Absent: the host's user namespace.
   */
  idMappings?: { uid: OciIdMapping[]; gid: OciIdMapping[] };
  /** Host device nodes by path, for --device and the blkio device options (the caller stats them). */
  hostDevicesByPath?: Record<string, HostDeviceNode>;
  /** OCI annotations (HostConfig.Annotations). */
  annotations?: Record<string, string>;
}
