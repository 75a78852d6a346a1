// Container errors, in Docker's wording (moby daemon/errors.go), because the docker CLI and
// compose show these messages to users as they are.
import { ConflictError, InvalidArgumentError, NotFoundError, NotModifiedError } from '../lib/index.ts';

export class NoSuchContainerError extends NotFoundError {
  constructor(ref: string) {
    super(`No such container: ${ref}`, { code: 'BERTH_NO_SUCH_CONTAINER' });
  }
}

export class AmbiguousContainerError extends InvalidArgumentError {
  constructor(ref: string) {
    super(`multiple IDs found with provided prefix: ${ref}`, { code: 'BERTH_AMBIGUOUS_ID' });
  }
}

export class NameInUseError extends ConflictError {
  constructor(name: string, id: string) {
    super(`Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
      { code: 'BERTH_NAME_IN_USE' });
  }
}

export class NotRunningError extends ConflictError {
  constructor(id: string) {
    super(`Container ${id} is not running`, { code: 'BERTH_CONTAINER_NOT_RUNNING' });
  }
}

export class PausedError extends ConflictError {
  constructor(id: string) {
    super(`Container ${id} is paused. Unpause the container before stopping or killing`, { code: 'BERTH_CONTAINER_PAUSED' });
  }
}

export class StateConflictError extends ConflictError {}

export class AlreadyStartedError extends NotModifiedError {
  constructor() {
    super('container already started', { code: 'BERTH_ALREADY_STARTED' });
  }
}
