// The daemon's error answers (`{"message": …}` with an HTTP status) turned back into the
// error kinds of lib/errors.ts, keeping the daemon's message (containerd errhttp.ToNative).
// Every such error carries DAEMON_ERROR_CODE so the CLI can print docker's
// "Error response from daemon: <message>".
import {
  ConflictError, ForbiddenError, InternalError, InvalidArgumentError, NotFoundError, NotImplementedError,
  NotModifiedError, UnauthorizedError, UnavailableError, type BerthError,
} from '../lib/index.ts';

export const DAEMON_ERROR_CODE = 'BERTH_DAEMON_RESPONSE';

const STATUS_TEXT: Record<number, string> = {
  304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

/** The message of an error body: JSON `message`, else the text, else the status text. */
export function errorMessageOf(status: number, contentType: string | undefined, body: string): string {
  if ((contentType ?? '').includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) {
        const m = (parsed as { message?: unknown }).message;
        if (typeof m === 'string' && m.trim() !== '') return m.trim();
      }
    } catch {
      // Not JSON after all: fall through to the raw text.
    }
    if (body.trim() === '' || body.trim().startsWith('{')) return STATUS_TEXT[status] ?? `status ${status}`;
  }
  return body.trim() !== '' ? body.trim() : STATUS_TEXT[status] ?? `status ${status}`;
}

/** Maps an HTTP status to the error kind the daemon raised (moby httpstatus, reversed). */
export function errorFromStatus(status: number, message: string): BerthError {
  const opts = { code: DAEMON_ERROR_CODE };
  switch (status) {
    case 304: return new NotModifiedError(message, opts);
    case 400: return new InvalidArgumentError(message, opts);
    case 401: return new UnauthorizedError(message, opts);
    case 403: return new ForbiddenError(message, opts);
    case 404: return new NotFoundError(message, opts);
    case 409: return new ConflictError(message, opts);
    case 501: return new NotImplementedError(message, opts);
    case 503: return new UnavailableError(message, opts);
    default:
      if (status >= 400 && status < 500) return new InvalidArgumentError(message, opts);
      return new InternalError(message, opts);
  }
}

/** True for errors that came back from the daemon (as opposed to connection or CLI errors). */
export function isDaemonError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DAEMON_ERROR_CODE;
}
