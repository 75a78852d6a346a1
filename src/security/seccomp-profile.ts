// Docker's seccomp profile format (moby profiles/seccomp/seccomp.go `Seccomp`), the format of
// moby's default.json and of containers-common's /usr/share/containers/seccomp.json. It is
// NOT the OCI `linux.seccomp` format: rules carry includes/excludes conditions on
// capabilities, architecture and kernel version, and `archMap` lists sub-architectures.
// seccomp-converter.ts turns one into the other for a given container (PLATFORM.md §5.1).

export interface DockerSeccompCondition {
  caps?: string[];
  /** Go-style native arch names: "amd64", "x86", "arm64", … */
  arches?: string[];
  /** "4.8": the rule applies from (includes) or up to (excludes) this kernel. */
  minKernel?: string;
}

export interface DockerSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface DockerSeccompRule {
  names?: string[];
  /** Old single-name form; a rule may have `name` or `names`, not both. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: DockerSeccompArg[] | null;
  comment?: string;
  includes?: DockerSeccompCondition;
  excludes?: DockerSeccompCondition;
}

export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  architectures?: string[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: DockerSeccompRule[] | null;
  [key: string]: unknown;
}
