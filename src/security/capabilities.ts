// Linux capabilities: Docker's default set and the --cap-add/--cap-drop arithmetic
// (moby daemon/pkg/oci/caps/{defaults,utils}.go).
import { UnavailableCapabilityError, UnknownCapabilityError } from './errors.ts';

/** Every capability the kernel knows, in bit order (capability.h; 40 = CAP_CHECKPOINT_RESTORE, Linux 5.9). */
export const KNOWN_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
]);

const KNOWN = new Set(KNOWN_CAPABILITIES);

/** Docker's 14 default capabilities, in moby's order (oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
]);

const ALL = 'ALL';

/**
 * Upper-cases each name and adds the CAP_ prefix; keeps the magic "ALL".
 * `available` is the daemon's own capability set (its bounding set): a known capability
 * outside it is refused as Docker does, since no runtime could grant it.
 */
export function normalizeCapabilities(names: readonly string[], available?: readonly string[]): string[] {
  const availableSet = available === undefined ? undefined : new Set(available);
  return names.map((raw) => {
    const upper = raw.toUpperCase();
    if (upper === ALL) return ALL;
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!KNOWN.has(name)) throw new UnknownCapabilityError(name);
    if (availableSet !== undefined && !availableSet.has(name)) throw new UnavailableCapabilityError(name);
    return name;
  });
}

export interface CapabilityRequest {
  /** HostConfig.CapAdd (any case, with or without CAP_, or "ALL"). */
  add?: readonly string[] | null;
  /** HostConfig.CapDrop. */
  drop?: readonly string[] | null;
  privileged?: boolean;
  /** The daemon's own capabilities; all known capabilities if absent. */
  available?: readonly string[];
}

/**
 * The container's capability list (moby TweakCapabilities): privileged → everything the
 * daemon has; "ALL" in add → everything minus drop; "ALL" in drop → only add; otherwise
 * defaults minus drop plus add. Unlike moby, duplicates are removed.
 */
export function resolveCapabilities(req: CapabilityRequest): string[] {
  const all = req.available ?? KNOWN_CAPABILITIES;
  if (req.privileged === true) return [...all];
  const addRaw = req.add ?? [];
  const dropRaw = req.drop ?? [];
  if (addRaw.length === 0 && dropRaw.length === 0) return [...DEFAULT_CAPABILITIES];
  // Dropping a capability the daemon lacks is harmless, so only add is checked against it.
  const drop = new Set(normalizeCapabilities(dropRaw));
  const add = normalizeCapabilities(addRaw, req.available);
  let caps: string[];
  if (add.includes(ALL)) {
    caps = all.filter((c) => !drop.has(c));
  } else if (drop.has(ALL)) {
    caps = add;
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.has(c)), ...add];
  }
  return [...new Set(caps)];
}
