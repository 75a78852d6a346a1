// The one closed set of error kinds (STYLE.md §7.3). Modules subclass these in their
// own errors.ts; the wire edges (api/server/http-status.ts, client/errors.ts) map kinds
// to status codes and back. Nothing else branches on foreign error classes.

export type ErrorKind =
  | 'invalid-argument'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'already-exists'
  | 'not-modified'
  | 'not-implemented'
  | 'unavailable'
  | 'canceled'
  | 'internal';

export interface BerthErrorOptions {
  code?: string;
  cause?: unknown;
}

export abstract class BerthError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;

  constructor(message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'BERTH_ERROR';
  }
}

export class InvalidArgumentError extends BerthError {
  readonly kind = 'invalid-argument' as const;
}
export class UnauthorizedError extends BerthError {
  readonly kind = 'unauthorized' as const;
}
export class ForbiddenError extends BerthError {
  readonly kind = 'forbidden' as const;
}
export class NotFoundError extends BerthError {
  readonly kind = 'not-found' as const;
}
export class ConflictError extends BerthError {
  readonly kind = 'conflict' as const;
}
export class AlreadyExistsError extends BerthError {
  readonly kind = 'already-exists' as const;
}
export class NotModifiedError extends BerthError {
  readonly kind = 'not-modified' as const;
}
export class NotImplementedError extends BerthError {
  readonly kind = 'not-implemented' as const;
}
export class UnavailableError extends BerthError {
  readonly kind = 'unavailable' as const;
}
export class CanceledError extends BerthError {
  readonly kind = 'canceled' as const;
}
export class InternalError extends BerthError {
  readonly kind = 'internal' as const;
}

const KINDS: ReadonlySet<string> = new Set<ErrorKind>([
  'invalid-argument', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'already-exists',
  'not-modified', 'not-implemented', 'unavailable', 'canceled', 'internal',
]);

/** Follows the `cause` chain and returns the first kind found (containerd errdefs.Resolve). */
export function kindOf(err: unknown): ErrorKind {
  let cur: unknown = err;
  for (let depth = 0; depth < 16 && cur !== null && typeof cur === 'object'; depth++) {
    const kind = (cur as { kind?: unknown }).kind;
    if (typeof kind === 'string' && KINDS.has(kind)) return kind as ErrorKind;
    if ((cur as { name?: unknown }).name === 'AbortError') return 'canceled';
    cur = (cur as { cause?: unknown }).cause;
  }
  return 'internal';
}

/** The message of any thrown value, for logs and error bodies. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
