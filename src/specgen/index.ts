// specgen: pure generation of the OCI runtime spec (config.json) from a container's resolved
// create request (layer L1; imports lib, oci, api/types, security). No I/O: the caller
// resolves the image, reads /etc/passwd and /etc/group from the rootfs, and reads host facts
// (arch, kernel, hard rlimits, the seccomp profile, cgroup version) once at daemon start.
// Vocabulary:
//   SpecInput      everything generateSpec needs (spec-input.ts); HostFacts is its host part
//   generateSpec   SpecInput → OciSpec, Docker's defaults (moby daemon/oci_linux.go)
//   resolveUser    "--user" → uid/gid/additionalGids against passwd/group text
//   mergeEnv       image env + request env, as docker create stores it
//   parseSignal    "SIGTERM" | "term" | "15" | "SIGRTMIN+3" → signal number
// Invariant: same input → equal output; errors are InvalidArgumentError kinds with Docker's
// wording, raised before the caller has any side effect.
export * from './spec-input.ts';
export * from './errors.ts';
export { generateSpec } from './generate-spec.ts';
export { resolveUser } from './user.ts';
export { DEFAULT_PATH_ENV, mergeEnv, processEnv, replaceOrAppendEnv } from './env.ts';
export { parseSignal } from './signal.ts';
export { DEFAULT_NOFILE, buildRlimits } from './rlimits.ts';
export { DEFAULT_TMPFS_OPTIONS, mergeTmpfsOptions, tmpfsMountOptions } from './tmpfs-options.ts';
export { DEFAULT_SHM_SIZE, INIT_PATH_IN_CONTAINER } from './mounts.ts';
export { CPU_PERIOD_US, updateResources, hostPathsOf, parseDeviceCgroupRule, type HostDeviceNode } from './resources.ts';
export { adaptResources, mergeUpdate, parseCpuList, RESOURCE_DEFAULTS, type AdaptedResources } from './validate-resources.ts';
