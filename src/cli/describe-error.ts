// The text docker prints for an error: answers from the daemon get the
// "Error response from daemon: " prefix, everything else is printed as is.
import { isDaemonError } from '../client/index.ts';
import { messageOf } from '../lib/index.ts';

export function describeError(err: unknown): string {
  if (isDaemonError(err)) return `Error response from daemon: ${messageOf(err)}`;
  return messageOf(err);
}
