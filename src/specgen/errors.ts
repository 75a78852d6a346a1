// Errors of spec generation. Messages are Docker's (runc libcontainer/user, moby
// pkg/signal and daemon/oci_linux.go) where Docker has one: the docker CLI prints them.
import { InvalidArgumentError } from '../lib/index.ts';

/** A bad value in the create request, found while turning it into a spec. */
export class InvalidSpecInputError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'BERTH_INVALID_SPEC_INPUT' });
  }
}

/** `--user` names a user or group the image's /etc/passwd or /etc/group does not have. */
export class UnknownUserError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'BERTH_UNKNOWN_USER' });
  }
}

export class InvalidSignalError extends InvalidArgumentError {
  constructor(name: string) {
    super(`Invalid signal: ${name}`, { code: 'BERTH_INVALID_SIGNAL' });
  }
}
