// generateSpec: SpecInput → OCI config.json, Docker's way (moby daemon/oci_linux.go createSpec
// over oci.DefaultLinuxSpec), adjusted to this platform: rlimits clamped to the daemon's hard
// limits, no negative oomScoreAdj, no blockIO.weight (PLATFORM.md §1.7, §2.2).
// Pure: the same input gives an equal spec, and nothing outside the returned object changes.
// The seccomp section is memoised per (profile, capability set) and shared, hence frozen.
import type { HostConfig } from '../api/types/index.ts';
import type { OciCapabilities, OciLinux, OciProcess, OciSeccomp, OciSpec } from '../oci/index.ts';
import { OCI_VERSION } from '../oci/index.ts';
import {
  DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, cachedSeccompProfile, convertSeccompProfile,
  parseSecurityOpt, resolveCapabilities, type SecurityOptions,
} from '../security/index.ts';
import { processEnv } from './env.ts';
import { INIT_PATH_IN_CONTAINER, buildMounts, rootfsPropagationFor } from './mounts.ts';
import { buildNamespaces, hasOwnPidNamespace, sharesHostUts } from './namespaces.ts';
import { buildResources, userDevices } from './resources.ts';
import { buildRlimits } from './rlimits.ts';
import type { SpecInput } from './spec-input.ts';
import { buildSysctls } from './sysctls.ts';

/**
 * moby SetCapabilities: uid 0 gets the list as bounding, effective and permitted; any other
 * uid only as bounding, because execve as non-root clears the rest anyway. Inheritable and
 * ambient stay empty.
 */
function capabilitySets(caps: string[], uid: number): OciCapabilities {
  if (uid === 0) return { bounding: caps, effective: [...caps], permitted: [...caps] };
  return { bounding: caps };
}

function seccompFor(input: SpecInput, sec: SecurityOptions, caps: string[], privileged: boolean): OciSeccomp | null {
  if (privileged || sec.seccomp.mode === 'unconfined') return null;
  const target = { arch: input.host.arch, kernel: input.host.kernel };
  // A custom profile is decoded anew for every start, so caching it would only hold memory.
  if (sec.seccomp.mode === 'custom') return convertSeccompProfile(sec.seccomp.profile, caps, target);
  if (input.host.seccompProfile === null) return null;
  return cachedSeccompProfile(input.host.seccompProfile, caps, target);
}

function processOf(input: SpecInput, sec: SecurityOptions, caps: string[], withInit: boolean): OciProcess {
  const hc: HostConfig = input.hostConfig;
  const proc: OciProcess = {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid, additionalGids: [...input.user.additionalGids] },
    args: withInit ? [INIT_PATH_IN_CONTAINER, '--', ...input.args] : [...input.args],
    env: processEnv(input.env, input.hostname, input.tty),
    cwd: input.cwd === '' ? '/' : input.cwd,
    capabilities: capabilitySets(caps, input.user.uid),
    rlimits: buildRlimits(hc.Ulimits, input.host.hardLimits),
  };
  const size = hc.ConsoleSize;
  if (input.tty && size !== null && size !== undefined && (size[0] > 0 || size[1] > 0)) {
    proc.consoleSize = { height: size[0], width: size[1] };
  }
  if (sec.noNewPrivileges) proc.noNewPrivileges = true;
  // Lowering oom_score_adj needs CAP_SYS_RESOURCE, which this host's root lacks (PLATFORM.md §1.7).
  if (hc.OomScoreAdj !== undefined && hc.OomScoreAdj > 0) proc.oomScoreAdj = hc.OomScoreAdj;
  return proc;
}

function systemPaths(list: string[] | null | undefined, defaults: readonly string[]): string[] | undefined {
  const paths = list ?? defaults;
  return paths.length > 0 ? [...paths] : undefined;
}

export function generateSpec(input: SpecInput): OciSpec {
  const hc = input.hostConfig;
  const privileged = hc.Privileged === true;
  const sec = parseSecurityOpt(hc.SecurityOpt);
  const caps = resolveCapabilities({
    add: hc.CapAdd, drop: hc.CapDrop, privileged, available: input.host.capabilities,
  });
  const hostUts = sharesHostUts(input);
  // moby adds the init only when the container has its own PID namespace.
  const withInit = input.initPath !== undefined && hasOwnPidNamespace(input);

  const mounts = buildMounts(input, { privileged, readonlyRootfs: hc.ReadonlyRootfs === true, withInit });
  const resources = buildResources(hc, privileged, input.hostDevicesByPath ?? {});
  // --device directories expand to several nodes (security-inputs): their allow rules join
  // the ones buildResources made for the listed nodes and --device-cgroup-rule, once each.
  if (!privileged && input.deviceRules !== undefined) {
    const seen = new Set((resources.devices ?? []).map((r) => JSON.stringify(r)));
    resources.devices = [...(resources.devices ?? []), ...input.deviceRules.filter((r) => !seen.has(JSON.stringify(r)))];
  }
  const linux: OciLinux = {
    namespaces: buildNamespaces(input),
    devices: privileged ? [...(input.hostDevices ?? [])] : (input.devices ?? userDevices(hc, input.hostDevicesByPath ?? {}).devices),
    cgroupsPath: input.cgroupsPath,
    resources,
  };
  if (input.idMappings !== undefined) {
    linux.uidMappings = input.idMappings.uid.map((m) => ({ ...m }));
    linux.gidMappings = input.idMappings.gid.map((m) => ({ ...m }));
  }
  const sysctl = buildSysctls(input, hostUts);
  if (Object.keys(sysctl).length > 0) linux.sysctl = sysctl;
  const seccomp = seccompFor(input, sec, caps, privileged);
  if (seccomp !== null) linux.seccomp = seccomp;
  if (!privileged && !sec.systemPathsUnconfined) {
    const masked = systemPaths(input.maskedPaths, DEFAULT_MASKED_PATHS);
    if (masked !== undefined) linux.maskedPaths = masked;
    const readonly = systemPaths(input.readonlyPaths, DEFAULT_READONLY_PATHS);
    if (readonly !== undefined) linux.readonlyPaths = readonly;
  }
  const propagation = rootfsPropagationFor(mounts);
  if (propagation !== undefined) linux.rootfsPropagation = propagation;

  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: processOf(input, sec, caps, withInit),
    root: { path: input.rootfsPath, readonly: hc.ReadonlyRootfs === true },
    mounts,
    linux,
  };
  if (!hostUts) spec.hostname = input.hostname;
  if (input.annotations !== undefined && Object.keys(input.annotations).length > 0) {
    spec.annotations = { ...input.annotations };
  }
  return spec;
}
