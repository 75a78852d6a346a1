// Errors that decide the exit code (docker's cli.StatusError): `berth run` exits with the
// container's code, 125 when the daemon or a flag failed, 126/127 when the command could
// not be invoked or found; usage errors print the usage line.

export class StatusError extends Error {
  readonly status: number;

  /** `message` is printed on stderr when non-empty. */
  constructor(status: number, message = '') {
    super(message);
    this.name = 'StatusError';
    this.status = status;
  }
}

/** Wrong arguments or flags: printed with the command's usage line. */
export class UsageError extends StatusError {}
