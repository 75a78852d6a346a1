// HTTP to the daemon: versioned paths (`/v1.50/...`, negotiated down to the daemon's
// Api-Version from /_ping, as docker's client does), JSON bodies, error answers mapped by
// errors.ts, and connection failures worded like docker's. Connections come from a
// keep-alive pool without a limit: `run` keeps POST /wait open while it sends /start.
// node:http rather than undici: loading undici costs ~90 ms on every CLI invocation
// (measured on Node 20), about half of a `berth ps`.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { API_VERSION } from '../api/types/index.ts';
import { InternalError, UnavailableError, messageOf } from '../lib/index.ts';
import { errorFromStatus, errorMessageOf } from './errors.ts';
import { hijack, type HijackedConnection } from './hijack.ts';
import type { DaemonHost } from './host.ts';
import { tlsConnectOptions, type TlsSettings } from './tls.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  /** A JSON value, or a raw stream/buffer (then `contentType` says what it is). */
  body?: unknown;
  rawBody?: Readable | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send to the unversioned path (only /_ping and /version are asked for that way). */
  unversioned?: boolean;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export interface TransportOptions {
  /** Pin the API version (BERTH_API_VERSION / DOCKER_API_VERSION) instead of negotiating. */
  apiVersion?: string;
  /** TLS to a tcp:// daemon (--tls/--tlsverify). */
  tls?: TlsSettings | null;
}

/** Compares dotted versions ("1.41" < "1.50"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export class Transport {
  readonly host: DaemonHost;
  readonly #agent: Agent;
  readonly #tls: TlsSettings | null;
  #version: Promise<string> | null;
  #negotiated: string | null = null;

  constructor(host: DaemonHost, opts: TransportOptions = {}) {
    this.host = host;
    this.#tls = host.kind === 'tcp' ? opts.tls ?? null : null;
    this.#agent = this.#tls ? new HttpsAgent({ keepAlive: true, ...tlsConnectOptions(this.#tls) }) : new Agent({ keepAlive: true });
    this.#version = opts.apiVersion ? Promise.resolve(opts.apiVersion) : null;
    if (opts.apiVersion) this.#negotiated = opts.apiVersion;
  }

  /** The API version in use (after negotiation). */
  async apiVersion(): Promise<string> {
    this.#version ??= this.#negotiate();
    return this.#version;
  }

  /** The version negotiated so far, or null before the first request. */
  get currentVersion(): string | null {
    return this.#negotiated;
  }

  async #negotiate(): Promise<string> {
    const res = await this.#send({ method: 'GET', path: '/_ping', unversioned: true });
    res.body.resume();
    const server = res.headers['api-version'];
    const v = typeof server === 'string' && server !== '' && compareVersions(server, API_VERSION) < 0 ? server : API_VERSION;
    this.#negotiated = v;
    return v;
  }

  async #path(opts: RequestOptions): Promise<string> {
    const base = opts.unversioned ? opts.path : `/v${await this.apiVersion()}${opts.path}`;
    return base + encodeQuery(opts.query);
  }

  async #send(opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | Buffer | Readable | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const path = await this.#path(opts);
    const target = this.host.kind === 'unix'
      ? { socketPath: this.host.socketPath, headers: { host: 'api.moby.localhost', ...headers } }
      : { host: this.host.hostname, port: this.host.port, headers };
    return new Promise<Response>((resolve, reject) => {
      // No timeouts: streams (logs -f, events, wait) stay silent for as long as they like.
      const send = this.#tls ? httpsRequest : httpRequest;
      const req = send({ agent: this.#agent, method: opts.method, path, ...target, ...(opts.signal ? { signal: opts.signal } : {}) },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.on('error', (e) => reject(this.#connectionError(e)));
      if (body instanceof Readable) {
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      } else {
        req.end(body);
      }
    });
  }

  /** Sends a request; a status of 400 or more becomes the mapped error with the daemon's message. */
  async request(opts: RequestOptions): Promise<Response> {
    const res = await this.#send(opts);
    if (res.status >= 400) {
      const text = await readText(res.body);
      const ct = res.headers['content-type'];
      throw errorFromStatus(res.status, errorMessageOf(res.status, Array.isArray(ct) ? ct[0] : ct, text));
    }
    return res;
  }

  async json<T>(opts: RequestOptions): Promise<T> {
    const text = await this.text(opts);
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new InternalError(`invalid JSON from daemon: ${messageOf(e)}`, { cause: e });
    }
  }

  async text(opts: RequestOptions): Promise<string> {
    return readText((await this.request(opts)).body);
  }

  /** A request whose answer is ignored (204 and the like). */
  async discard(opts: RequestOptions): Promise<void> {
    (await this.request(opts)).body.resume();
  }

  async hijack(opts: Pick<RequestOptions, 'path' | 'query' | 'body'>): Promise<HijackedConnection> {
    const path = await this.#path({ method: 'POST', ...opts });
    try {
      return await hijack(this.host, { path, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }), ...(this.#tls ? { tls: this.#tls } : {}) });
    } catch (e) {
      throw this.#connectionError(e);
    }
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  #connectionError(e: unknown): unknown {
    const code = (e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code;
    const where = this.host.url;
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || (code === 'ECONNRESET' && this.#negotiated === null)) {
      return new UnavailableError(`Cannot connect to the berth daemon at ${where}. Is the berth daemon running?`, { cause: e, code: 'BERTH_CLIENT_CONNECT' });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new UnavailableError(`permission denied while trying to connect to the berth daemon socket at ${where}: connect: permission denied`, { cause: e, code: 'BERTH_CLIENT_CONNECT' });
    }
    return e;
  }
}

export async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
