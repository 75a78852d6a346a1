// Tightens a containers-common seccomp profile to Docker's default policy (PLATFORM.md §5.1).
// containers-common's profile allows mount, unshare, setns, clone with namespace flags,
// keyctl and pivot_root to every container; Docker's default profile allows the namespace
// and mount syscalls only with CAP_SYS_ADMIN and never the kernel keyring. The rules below
// restate Docker's documented policy ("Significant syscalls blocked by the default
// profile", docs.docker.com/engine/security/seccomp) in the profile format:
//   * mount, the new mount API, unshare, setns, umount, syslog, pivot_root, …: CAP_SYS_ADMIN
//   * clone: allowed without namespace flags; with any of them only with CAP_SYS_ADMIN
//   * clone3: ENOSYS without CAP_SYS_ADMIN (so libc falls back to clone, where flags are seen)
//   * keyctl, add_key, request_key: refused
// A profile that does not allow any of these unconditionally is returned unchanged in effect.
import type { DockerSeccompProfile, DockerSeccompRule } from './seccomp-profile.ts';

/** Syscalls Docker allows only to containers holding CAP_SYS_ADMIN. */
export const SYS_ADMIN_SYSCALLS: readonly string[] = Object.freeze([
  'bpf', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount',
  'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'pivot_root', 'quotactl',
  'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog', 'umount', 'umount2', 'unshare',
]);

/** Syscalls Docker's default profile never allows. */
export const REFUSED_SYSCALLS: readonly string[] = Object.freeze(['add_key', 'keyctl', 'request_key']);

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone flags that make namespaces. */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

const EPERM = 1;
const ENOSYS = 38;
const SYS_ADMIN = ['CAP_SYS_ADMIN'];

function namesOf(rule: DockerSeccompRule): string[] {
  return rule.names ?? (rule.name !== undefined ? [rule.name] : []);
}

function isUnconditionalAllow(rule: DockerSeccompRule): boolean {
  return rule.action === 'SCMP_ACT_ALLOW' && (rule.args ?? []).length === 0
    && Object.keys(rule.includes ?? {}).length === 0 && Object.keys(rule.excludes ?? {}).length === 0;
}

/** Docker's policy over `profile`; the input is not modified. */
export function withDockerParity(profile: DockerSeccompProfile): DockerSeccompProfile {
  const gated = new Set([...SYS_ADMIN_SYSCALLS, 'clone']);
  const refused = new Set(REFUSED_SYSCALLS);
  const syscalls: DockerSeccompRule[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!isUnconditionalAllow(rule)) {
      syscalls.push(rule);
      continue;
    }
    const names = namesOf(rule).filter((n) => !gated.has(n) && !refused.has(n));
    const { name: _name, ...rest } = rule;
    syscalls.push({ ...rest, names });
  }
  // Conditional ALLOW rules of the input for gated syscalls (e.g. setns with CAP_SYS_ADMIN)
  // stay; the ERRNO rules added here only apply when no ALLOW rule matches.
  syscalls.push(
    { names: [...SYS_ADMIN_SYSCALLS, 'clone'], action: 'SCMP_ACT_ALLOW', includes: { caps: SYS_ADMIN }, comment: 'berth: Docker parity' },
    {
      names: ['clone'], action: 'SCMP_ACT_ALLOW', excludes: { caps: SYS_ADMIN, arches: ['s390', 's390x'] },
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: 'berth: clone without namespace flags',
    },
    {
      names: ['clone'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['s390', 's390x'] }, excludes: { caps: SYS_ADMIN },
      args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: 'berth: clone without namespace flags (s390: flags are the second argument)',
    },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: SYS_ADMIN }, comment: 'berth: libc falls back to clone' },
    {
      names: SYS_ADMIN_SYSCALLS.filter((n) => n !== 'clone3'), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM,
      excludes: { caps: SYS_ADMIN }, comment: 'berth: Docker parity',
    },
    { names: [...REFUSED_SYSCALLS], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, comment: 'berth: no kernel keyring' },
  );
  return { ...profile, syscalls };
}
