// security: Docker's security defaults as pure data and pure functions (layer L1; imports
// lib and oci only). Vocabulary:
//   capability   a "CAP_…" name; the container's list becomes its bounding set (and, for
//                uid 0, its effective and permitted sets); DEFAULT_CAPABILITIES is Docker's 14.
//   masked path  a /proc or /sys path hidden from the container; read-only path: remounted ro.
//   device rule  a device-cgroup allow/deny entry (linux.resources.devices).
//   profile      a seccomp profile in Docker's format (archMap, includes/excludes);
//                converting it for one container yields OCI linux.seccomp.
//   security-opt HostConfig.SecurityOpt strings (no-new-privileges, seccomp=…, systempaths=…).
// Invariant: nothing here does I/O; host facts (arch, kernel, the daemon's own capabilities)
// are passed in by the caller.
export * from './errors.ts';
export * from './capabilities.ts';
export * from './system-paths.ts';
export * from './device-rules.ts';
export * from './seccomp-profile.ts';
export * from './kernel-version.ts';
export * from './seccomp-converter.ts';
export * from './security-opt.ts';
export * from './docker-parity.ts';
