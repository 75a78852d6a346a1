// System endpoints: GET /_ping, /version, /info, /events.
import type { EventMessage, VersionResponse } from '../api/types/index.ts';
import { readJsonTexts } from './json-stream.ts';
import { encodeFilters, type Filters } from './filters.ts';
import type { Transport } from './transport.ts';

export interface PingResult { apiVersion: string; osType: string }

/** GET /info: the subset berth's CLI reads; other fields pass through untyped. */
export type SystemInfo = Record<string, unknown>;

export interface EventsOptions {
  since?: string;
  until?: string;
  filters?: Filters;
  signal?: AbortSignal;
}

/**
 * An event with its timestamp to the nanosecond: `timeNano` (about 1.7e18) is beyond the
 * integers a JS number holds exactly, so the digits are read from the raw JSON as well.
 */
export type ExactEvent = EventMessage & { exactTimeNano?: bigint };

export interface SystemApi {
  ping(): Promise<PingResult>;
  version(): Promise<VersionResponse>;
  info(): Promise<SystemInfo>;
  events(opts?: EventsOptions): AsyncGenerator<ExactEvent>;
}

export class SystemClient implements SystemApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  async ping(): Promise<PingResult> {
    const res = await this.#t.request({ method: 'GET', path: '/_ping', unversioned: true });
    res.body.resume();
    const header = (name: string): string => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] ?? '' : v ?? '';
    };
    return { apiVersion: header('api-version'), osType: header('ostype') };
  }

  version(): Promise<VersionResponse> {
    return this.#t.json({ method: 'GET', path: '/version' });
  }

  info(): Promise<SystemInfo> {
    return this.#t.json({ method: 'GET', path: '/info' });
  }

  async *events(opts: EventsOptions = {}): AsyncGenerator<ExactEvent> {
    const res = await this.#t.request({
      method: 'GET',
      path: '/events',
      query: { since: opts.since, until: opts.until, filters: encodeFilters(opts.filters) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    for await (const text of readJsonTexts(res.body)) {
      const event = JSON.parse(text) as ExactEvent;
      const digits = /"timeNano"\s*:\s*(\d+)/.exec(text)?.[1];
      if (digits !== undefined) event.exactTimeNano = BigInt(digits);
      yield event;
    }
  }
}
