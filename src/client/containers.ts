// Container endpoints: create, inspect, list, the lifecycle verbs, wait, logs, top,
// resize and attach (hijacked). Names and ids are path-escaped; docker's query parameters
// are sent as the Go client sends them.
import type { Readable } from 'node:stream';
import type {
  ContainerCreateRequest, ContainerCreateResponse, ContainerInspect, ContainerStatsResponse, ContainerSummary,
  ContainerUpdateResponse, ContainerWaitResponse, TopResponse, UpdateConfig,
} from '../api/types/index.ts';
import { readJsonStream } from './json-stream.ts';
import { encodeFilters, type Filters } from './filters.ts';
import type { HijackedConnection } from './hijack.ts';
import type { Transport } from './transport.ts';

export interface ListOptions { all?: boolean; limit?: number; size?: boolean; filters?: Filters }
export interface StopOptions { timeout?: number; signal?: string }
export interface RemoveOptions { force?: boolean; volumes?: boolean; link?: boolean }
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
  details?: boolean;
  tail?: string;
  signal?: AbortSignal;
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

/** An inspect answer: the typed value and the raw JSON text (docker inspect prints the raw). */
export interface WithRaw<T> { value: T; raw: string }

export interface ContainersApi {
  create(body: ContainerCreateRequest, opts?: { name?: string; platform?: string }): Promise<ContainerCreateResponse>;
  inspect(id: string, opts?: { size?: boolean }): Promise<WithRaw<ContainerInspect>>;
  list(opts?: ListOptions): Promise<ContainerSummary[]>;
  start(id: string, opts?: { detachKeys?: string }): Promise<void>;
  stop(id: string, opts?: StopOptions): Promise<void>;
  restart(id: string, opts?: StopOptions): Promise<void>;
  kill(id: string, signal?: string): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  rename(id: string, newName: string): Promise<void>;
  remove(id: string, opts?: RemoveOptions): Promise<void>;
  wait(id: string, condition?: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse>;
  logs(id: string, opts?: LogsOptions): Promise<Readable>;
  top(id: string, psArgs?: string): Promise<TopResponse>;
  resize(id: string, height: number, width: number): Promise<void>;
  attach(id: string, opts: AttachOptions): Promise<HijackedConnection>;
  /** GET /containers/{id}/stats: one value (stream false) or one a second until `signal` aborts. */
  stats(id: string, opts: StatsOptions): Promise<AsyncIterable<ContainerStatsResponse>>;
  update(id: string, body: UpdateConfig): Promise<ContainerUpdateResponse>;
}

export interface StatsOptions { stream: boolean; oneShot?: boolean; signal?: AbortSignal }

const enc = encodeURIComponent;

export class ContainersClient implements ContainersApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  create(body: ContainerCreateRequest, opts: { name?: string; platform?: string } = {}): Promise<ContainerCreateResponse> {
    return this.#t.json({
      method: 'POST', path: '/containers/create', query: { name: opts.name || undefined, platform: opts.platform || undefined }, body,
    });
  }

  async inspect(id: string, opts: { size?: boolean } = {}): Promise<WithRaw<ContainerInspect>> {
    const raw = await this.#t.text({ method: 'GET', path: `/containers/${enc(id)}/json`, query: { size: opts.size ? true : undefined } });
    return { value: JSON.parse(raw) as ContainerInspect, raw };
  }

  list(opts: ListOptions = {}): Promise<ContainerSummary[]> {
    return this.#t.json({
      method: 'GET',
      path: '/containers/json',
      query: {
        all: opts.all ? true : undefined,
        limit: opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined,
        size: opts.size ? true : undefined,
        filters: encodeFilters(opts.filters),
      },
    });
  }

  start(id: string, opts: { detachKeys?: string } = {}): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/start`, query: { detachKeys: opts.detachKeys || undefined } });
  }

  stop(id: string, opts: StopOptions = {}): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/stop`, query: { t: opts.timeout, signal: opts.signal || undefined } });
  }

  restart(id: string, opts: StopOptions = {}): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/restart`, query: { t: opts.timeout, signal: opts.signal || undefined } });
  }

  kill(id: string, signal?: string): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/kill`, query: { signal: signal || undefined } });
  }

  pause(id: string): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/pause` });
  }

  unpause(id: string): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/unpause` });
  }

  rename(id: string, newName: string): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/rename`, query: { name: newName } });
  }

  remove(id: string, opts: RemoveOptions = {}): Promise<void> {
    return this.#t.discard({
      method: 'DELETE',
      path: `/containers/${enc(id)}`,
      query: { v: opts.volumes ? true : undefined, link: opts.link ? true : undefined, force: opts.force ? true : undefined },
    });
  }

  wait(id: string, condition?: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    return this.#t.json({
      method: 'POST', path: `/containers/${enc(id)}/wait`, query: { condition }, ...(signal ? { signal } : {}),
    });
  }

  async logs(id: string, opts: LogsOptions = {}): Promise<Readable> {
    const res = await this.#t.request({
      method: 'GET',
      path: `/containers/${enc(id)}/logs`,
      query: {
        stdout: opts.stdout ? true : undefined,
        stderr: opts.stderr ? true : undefined,
        since: opts.since || undefined,
        until: opts.until || undefined,
        timestamps: opts.timestamps ? true : undefined,
        details: opts.details ? true : undefined,
        follow: opts.follow ? true : undefined,
        tail: opts.tail || undefined,
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return res.body;
  }

  top(id: string, psArgs?: string): Promise<TopResponse> {
    return this.#t.json({ method: 'GET', path: `/containers/${enc(id)}/top`, query: { ps_args: psArgs || undefined } });
  }

  resize(id: string, height: number, width: number): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/containers/${enc(id)}/resize`, query: { h: height, w: width } });
  }

  attach(id: string, opts: AttachOptions): Promise<HijackedConnection> {
    return this.#t.hijack({
      path: `/containers/${enc(id)}/attach`,
      query: {
        stream: opts.stream ? true : undefined,
        stdin: opts.stdin ? true : undefined,
        stdout: opts.stdout ? true : undefined,
        stderr: opts.stderr ? true : undefined,
        logs: opts.logs ? true : undefined,
        detachKeys: opts.detachKeys || undefined,
      },
    });
  }

  async stats(id: string, opts: StatsOptions): Promise<AsyncIterable<ContainerStatsResponse>> {
    const res = await this.#t.request({
      method: 'GET',
      path: `/containers/${enc(id)}/stats`,
      query: { stream: opts.stream, 'one-shot': opts.oneShot ? true : undefined },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return readJsonStream<ContainerStatsResponse>(res.body);
  }

  update(id: string, body: UpdateConfig): Promise<ContainerUpdateResponse> {
    return this.#t.json({ method: 'POST', path: `/containers/${enc(id)}/update`, body });
  }
}
