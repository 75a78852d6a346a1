// Errors of the security module. Messages are Docker's where Docker has one (moby
// daemon/pkg/oci/caps/utils.go, daemon/daemon_unix.go parseSecurityOpt,
// profiles/seccomp/seccomp_linux.go), because the docker CLI shows them verbatim.
import { InvalidArgumentError } from '../lib/index.ts';

/** A --cap-add/--cap-drop name that is not a Linux capability. */
export class UnknownCapabilityError extends InvalidArgumentError {
  constructor(name: string) {
    super(`unknown capability: ${JSON.stringify(name)}`, { code: 'BERTH_UNKNOWN_CAPABILITY' });
  }
}

/** A capability the daemon itself does not hold, so no container can get it. */
export class UnavailableCapabilityError extends InvalidArgumentError {
  constructor(name: string) {
    super(
      `capability not supported by your kernel or not available in the current environment: ${JSON.stringify(name)}`,
      { code: 'BERTH_UNAVAILABLE_CAPABILITY' },
    );
  }
}

/** A --security-opt that does not parse (Docker: "invalid --security-opt 1/2: …"). */
export class InvalidSecurityOptError extends InvalidArgumentError {
  constructor(stage: 1 | 2, opt: string) {
    super(`invalid --security-opt ${stage}: ${JSON.stringify(opt)}`, { code: 'BERTH_INVALID_SECURITY_OPT' });
  }
}

/** A seccomp profile that cannot be decoded or converted. */
export class InvalidSeccompProfileError extends InvalidArgumentError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'BERTH_INVALID_SECCOMP_PROFILE', cause });
  }
}

/** A kernel release string that does not start with major.minor (moby kernel.ParseRelease). */
export class InvalidKernelVersionError extends InvalidArgumentError {
  constructor(release: string) {
    super(`Can't parse kernel version ${release}`, { code: 'BERTH_INVALID_KERNEL_VERSION' });
  }
}

/** A --device or --device-cgroup-rule that cannot be used. */
export class InvalidDeviceError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'BERTH_INVALID_DEVICE' });
  }
}
