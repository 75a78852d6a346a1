// The options of GET /containers/{id}/logs, as readLogs takes them, and their validation.
// Validation happens before any file is opened (STYLE.md §7.3) and turns the options into
// the plan the reader runs.
import { InvalidArgumentError } from '../lib/index.ts';
import type { EncoderOptions } from './record-encoder.ts';

export interface LogReadOptions {
  stdout: boolean;
  stderr: boolean;
  /** Keep streaming new lines after the existing ones. */
  follow: boolean;
  /** The last N lines of the selected streams (0 = none of the existing ones), or all. */
  tail: number | 'all';
  /**
   * Unix seconds, fractional allowed; 0 or absent = no bound (the API's default "0"). The
   * API's own `SECONDS.NANOS` string is accepted as well and keeps full ns precision, which
   * a double does not (docker logs --since <a timestamp printed by -t> must include that line).
   */
  since?: number | string | undefined;
  /** Same form as `since`. */
  until?: number | string | undefined;
  /** Prefix each message with its time, `2006-01-02T15:04:05.000000000Z `. */
  timestamps: boolean;
  /** true: Docker stdcopy frames (non-TTY); false (TTY): raw bytes. */
  multiplex: boolean;
  /** `--details`: prefix each message with its attrs, `k=v,k2=v2 ` (details.ts). */
  details?: boolean | undefined;
  /** Follow ends once this says false and the file is drained. Absent = running. */
  isRunning?: (() => boolean) | undefined;
  /** How often a follower polls besides fs.watch, in ms (default 250). */
  pollIntervalMs?: number | undefined;
}

export interface LogReadPlan {
  encoder: EncoderOptions;
  follow: boolean;
  tail: number | 'all';
  /** Unix seconds; follow also ends once the clock is past it. */
  untilSeconds: number | undefined;
  isRunning: (() => boolean) | undefined;
  pollIntervalMs: number;
}

const DEFAULT_POLL_MS = 250;

export function validateLogReadOptions(options: LogReadOptions): LogReadPlan {
  // moby daemon/logs.go, word for word: the docker CLI shows it as is.
  if (!options.stdout && !options.stderr) throw new InvalidArgumentError('You must choose at least one stream', { code: 'BERTH_LOGS_NO_STREAM' });
  const { tail } = options;
  if (tail !== 'all' && !(Number.isSafeInteger(tail) && tail >= 0)) {
    throw new InvalidArgumentError(`invalid tail ${String(tail)}: want a non-negative integer or "all"`, { code: 'BERTH_LOGS_BAD_TAIL' });
  }
  const since = bound('since', options.since);
  const until = bound('until', options.until);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs > 0)) {
    throw new InvalidArgumentError(`invalid poll interval ${pollIntervalMs}: want a positive number of ms`, { code: 'BERTH_LOGS_BAD_POLL' });
  }
  return {
    encoder: {
      streams: (options.stdout ? 1 : 0) | (options.stderr ? 2 : 0),
      multiplex: options.multiplex,
      timestamps: options.timestamps,
      details: options.details === true,
      since,
      until,
    },
    follow: options.follow,
    tail,
    untilSeconds: until === undefined ? undefined : until.sec + until.nsec / 1e9,
    isRunning: options.isRunning,
    pollIntervalMs,
  };
}

function bound(name: string, value: number | string | undefined): { sec: number; nsec: number } | undefined {
  if (value === undefined || value === 0 || value === '') return undefined;
  if (typeof value === 'string') {
    const m = /^(\d{1,15})(?:\.(\d{1,9}))?$/.exec(value);
    if (m === null || m[1] === undefined) {
      throw new InvalidArgumentError(`invalid ${name} ${JSON.stringify(value)}: want unix seconds`, { code: 'BERTH_LOGS_BAD_TIME' });
    }
    const sec = Number(m[1]);
    const nsec = Number((m[2] ?? '').padEnd(9, '0'));
    return sec === 0 && nsec === 0 ? undefined : { sec, nsec };
  }
  if (!(Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`invalid ${name} ${value}: want unix seconds`, { code: 'BERTH_LOGS_BAD_TIME' });
  }
  return splitSeconds(value);
}

/**
 * Unix seconds -> whole seconds + nanoseconds. A double carries about 0.2 µs at today's
 * epoch, so the nanoseconds are only that exact; pass the string form for exact bounds.
 */
export function splitSeconds(value: number): { sec: number; nsec: number } {
  let sec = Math.floor(value);
  let nsec = Math.round((value - sec) * 1e9);
  if (nsec >= 1e9) {
    sec += 1;
    nsec -= 1e9;
  }
  return { sec, nsec };
}
