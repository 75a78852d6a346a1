// System endpoints: GET /_ping, /version, /info, /events.
import type { EventMessage, VersionResponse } from '../api/types/index.ts';
import { readJsonStream } from './json-stream.ts';
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

export interface SystemApi {
  ping(): Promise<PingResult>;
  version(): Promise<VersionResponse>;
  info(): Promise<SystemInfo>;
  events(opts?: EventsOptions): AsyncGenerator<EventMessage>;
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

  async *events(opts: EventsOptions = {}): AsyncGenerator<EventMessage> {
    const res = await this.#t.request({
      method: 'GET',
      path: '/events',
      query: { since: opts.since, until: opts.until, filters: encodeFilters(opts.filters) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    yield* readJsonStream<EventMessage>(res.body);
  }
}
