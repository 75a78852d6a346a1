// The volume module's errors, worded as moby's volume service words them (daemon/volume/service
// errors.go: "<op> <name>: <cause>", "volume is in use - [<ids>]").
import { ConflictError, InvalidArgumentError, NotFoundError } from '../lib/index.ts';

export class NoSuchVolumeError extends NotFoundError {
  constructor(op: string, name: string) {
    super(`${op} ${name}: no such volume`, { code: 'BERTH_NO_SUCH_VOLUME' });
  }
}

export class VolumeInUseError extends ConflictError {
  constructor(name: string, containers: readonly string[]) {
    super(`remove ${name}: volume is in use - [${containers.join(', ')}]`, { code: 'BERTH_VOLUME_IN_USE' });
  }
}

export class InvalidVolumeError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'BERTH_INVALID_VOLUME' });
  }
}

/** An unknown driver: moby answers as a missing plugin (404). */
export class NoSuchVolumeDriverError extends NotFoundError {
  constructor(op: string, name: string, driver: string) {
    super(`${op} ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`, { code: 'BERTH_NO_SUCH_VOLUME_DRIVER' });
  }
}
