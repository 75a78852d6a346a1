// Build errors: what the client sees as the build's error message (a bad instruction, a
// missing file, a failing RUN with its exit code), not a daemon fault.
import { InvalidArgumentError } from '../lib/index.ts';

export class BuildError extends InvalidArgumentError {
  constructor(message: string, readonly exitCode?: number) {
    super(message);
  }
}
