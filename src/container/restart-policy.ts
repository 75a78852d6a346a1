// Restart policies (moby restartmanager): pure decisions, tested by tables.
// Back-off: 100 ms, doubled on each consecutive restart, at most 1 minute; reset to 100 ms
// when the container ran for at least 10 s before exiting.
import { InvalidArgumentError } from '../lib/index.ts';
import type { RestartPolicy } from '../api/types/index.ts';

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
export const BACKOFF_RESET_RUNTIME_MS = 10_000;

export function validateRestartPolicy(p: RestartPolicy | undefined, autoRemove: boolean): void {
  if (!p) return;
  const name = p.Name ?? '';
  switch (name) {
    case '':
    case 'no':
      if ((p.MaximumRetryCount ?? 0) !== 0) throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
      return;
    case 'always':
    case 'unless-stopped':
      if ((p.MaximumRetryCount ?? 0) !== 0) throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
      if (autoRemove) throw new InvalidArgumentError(`can't create 'AutoRemove' container with restart policy`);
      return;
    case 'on-failure':
      if ((p.MaximumRetryCount ?? 0) < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
      if (autoRemove) throw new InvalidArgumentError(`can't create 'AutoRemove' container with restart policy`);
      return;
    default:
      throw new InvalidArgumentError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
}

export interface RestartInput {
  policy: RestartPolicy | undefined;
  exitCode: number;
  restartCount: number;
  stoppedByUser: boolean;
}

export function shouldRestart(i: RestartInput): boolean {
  if (i.stoppedByUser) return false;
  switch (i.policy?.Name ?? '') {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      if (i.exitCode === 0) return false;
      const max = i.policy?.MaximumRetryCount ?? 0;
      return max === 0 || i.restartCount < max;
    }
    default:
      return false;
  }
}

export function nextBackoff(previousMs: number, ranForMs: number): number {
  if (ranForMs >= BACKOFF_RESET_RUNTIME_MS || previousMs <= 0) return BACKOFF_START_MS;
  return Math.min(previousMs * 2, BACKOFF_MAX_MS);
}
