// The only place where error kinds become HTTP statuses (moby httpstatus.FromError).
// Do not add checks on error classes here: give the error the right kind instead.
import { kindOf, type ErrorKind } from '../../lib/index.ts';

const STATUS: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'already-exists': 409,
  'not-modified': 304,
  'not-implemented': 501,
  unavailable: 503,
  canceled: 499,
  internal: 500,
};

export function statusOf(err: unknown): number {
  return STATUS[kindOf(err)];
}
