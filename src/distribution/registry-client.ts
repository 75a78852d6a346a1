// A client of one repository on one registry (OCI distribution spec), on undici. It does
// the auth dance (anonymous, Basic, Bearer tokens from the realm a 401 names, cached per
// scope until they expire), picks HTTPS or plain HTTP (insecure registries: HTTPS without
// verification first, then HTTP, as dockerd does), retries idempotent requests with
// back-off, resumes blob downloads with Range, and words errors as Docker does.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { InvalidArgumentError, NotFoundError, UnauthorizedError, UnavailableError, ForbiddenError, type Logger } from '../lib/index.ts';
import { MANIFEST_ACCEPT } from '../oci/index.ts';
import type { AuthConfig } from './auth-config.ts';
import { parseWwwAuthenticate, type Challenge } from './www-authenticate.ts';

export interface ClientOptions {
  host: string;
  path: string;
  auth?: AuthConfig;
  /** Plain HTTP (and unverified HTTPS) allowed. */
  insecure?: boolean;
  /** Directory of per-host CA files (/etc/docker/certs.d). */
  certsDir?: string;
  /** "pull" or "pull,push". */
  actions?: string;
  log?: Logger;
  /** Retries of idempotent requests (default 3). */
  retries?: number;
}

export interface FetchedManifest { bytes: Buffer; mediaType: string; digest: string | null }

/** A registry answered with an error document (or a bare status). */
export class RegistryResponseError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

// undici is loaded at the first registry request: ~20 MB and ~300 ms that an engine which
// never pulls would pay at every start.
type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | null = null;
const loadUndici = (): Promise<Undici> => (undiciModule ??= import('undici'));
type RequestOptions = Omit<Parameters<Undici['request']>[1] & object, 'dispatcher'>;

const schemeCache = new Map<string, string>();
const agents = new Map<string, Agent>();

function agentFor(undici: Undici, host: string, insecure: boolean, certsDir: string): Agent {
  const key = `${host}|${insecure}`;
  let a = agents.get(key);
  if (a) return a;
  const connect: Record<string, unknown> = { rejectUnauthorized: !insecure };
  try {
    const dir = join(certsDir, host);
    const cas = readdirSync(dir).filter((f) => f.endsWith('.crt')).map((f) => readFileSync(join(dir, f)));
    if (cas.length) connect.ca = cas;
    const certs = readdirSync(dir).filter((f) => f.endsWith('.cert'));
    if (certs[0]) {
      connect.cert = readFileSync(join(dir, certs[0]));
      connect.key = readFileSync(join(dir, certs[0].replace(/\.cert$/, '.key')));
    }
  } catch { /* no certs.d entry */ }
  a = new undici.Agent({ connect, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 120_000 });
  agents.set(key, a);
  return a;
}

export class RegistryClient {
  readonly host: string;
  readonly path: string;
  #base: string | null = null;
  #agent: Dispatcher | null = null;
  #authHeader: string | null = null;
  #tokenExpiry = 0;
  #challenge: Challenge | null = null;
  readonly #retries: number;

  constructor(private readonly opts: ClientOptions) {
    this.host = opts.host;
    this.path = opts.path;
    this.#retries = opts.retries ?? 3;
  }

  async #request(url: string, o: RequestOptions): Promise<Dispatcher.ResponseData> {
    const undici = await loadUndici();
    this.#agent ??= agentFor(undici, this.opts.host, this.opts.insecure ?? false, this.opts.certsDir ?? '/etc/docker/certs.d');
    return undici.request(url, { ...o, dispatcher: this.#agent }) as Promise<Dispatcher.ResponseData>;
  }

  /** The base URL, probing HTTPS then HTTP for an insecure registry. */
  async base(): Promise<string> {
    if (this.#base) return this.#base;
    const cached = schemeCache.get(this.host);
    if (cached) return (this.#base = cached);
    let base = `https://${this.host}`;
    if (this.opts.insecure) {
      try {
        const r = await this.#request(`${base}/v2/`, { method: 'GET', headersTimeout: 5000 });
        await r.body.dump();
      } catch {
        base = `http://${this.host}`;
      }
    }
    schemeCache.set(this.host, base);
    return (this.#base = base);
  }

  /** GET/HEAD/PUT… with auth: a 401 makes it authenticate once and retry. */
  async send(method: string, url: string, o: { headers?: Record<string, string>; body?: Buffer | string | (() => Readable) | null; idempotent?: boolean } = {}): Promise<Dispatcher.ResponseData> {
    const full = url.startsWith('http') ? url : `${await this.base()}${url}`;
    const idempotent = o.idempotent ?? (method === 'GET' || method === 'HEAD');
    let authTried = false;
    for (let attempt = 0; ; attempt++) {
      if (this.#authHeader && this.#tokenExpiry && Date.now() > this.#tokenExpiry - 10_000) await this.#authenticate();
      const headers: Record<string, string> = { 'User-Agent': 'berth/0.1', ...(o.headers ?? {}) };
      if (this.#authHeader && sameHost(full, this.host)) headers.Authorization = this.#authHeader;
      const body = typeof o.body === 'function' ? o.body() : o.body ?? undefined;
      let res: Dispatcher.ResponseData;
      try {
        res = await this.#request(full, { method: method as Dispatcher.HttpMethod, headers, body });
      } catch (err) {
        if (idempotent && attempt < this.#retries) { await backoff(attempt); continue; }
        throw networkError(method, full, err);
      }
      if (res.statusCode === 401 && !authTried) {
        const www = res.headers['www-authenticate'];
        await res.body.dump();
        authTried = true;
        const challenge = parseWwwAuthenticate(Array.isArray(www) ? www.join(', ') : www ?? '')[0];
        if (!challenge) throw new UnauthorizedError(`${method} "${full}": unauthorized: no authentication challenge`);
        this.#challenge = challenge;
        await this.#authenticate();
        continue;
      }
      if (res.statusCode >= 500 && idempotent && attempt < this.#retries) {
        await res.body.dump();
        await backoff(attempt);
        continue;
      }
      if ((res.statusCode === 307 || res.statusCode === 302 || res.statusCode === 303) && res.headers.location) {
        await res.body.dump();
        const loc = new URL(String(res.headers.location), full).toString();
        return this.#request(loc, { method: method as Dispatcher.HttpMethod, headers: { 'User-Agent': 'berth/0.1', ...(o.headers ?? {}), ...(sameHost(loc, this.host) && this.#authHeader ? { Authorization: this.#authHeader } : {}) } });
      }
      return res;
    }
  }

  async #authenticate(): Promise<void> {
    const c = this.#challenge;
    const a = this.opts.auth ?? {};
    if (!c) return;
    if (c.scheme === 'basic') {
      if (!a.username) throw new UnauthorizedError('no basic auth credentials');
      this.#authHeader = `Basic ${Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64')}`;
      return;
    }
    if (c.scheme !== 'bearer') throw new UnauthorizedError(`unauthorized: unsupported authentication scheme ${c.scheme}`);
    if (a.registrytoken) { this.#authHeader = `Bearer ${a.registrytoken}`; return; }
    const realm = c.params.realm;
    if (!realm) throw new UnauthorizedError('unauthorized: bearer challenge without realm');
    const u = new URL(realm);
    if (c.params.service) u.searchParams.set('service', c.params.service);
    const scope = this.path ? `repository:${this.path}:${this.opts.actions ?? 'pull'}` : '';
    if (scope) u.searchParams.set('scope', scope);
    const headers: Record<string, string> = { 'User-Agent': 'berth/0.1' };
    if (a.username) headers.Authorization = `Basic ${Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64')}`;
    let res: Dispatcher.ResponseData;
    try {
      if (a.identitytoken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: a.identitytoken, service: c.params.service ?? '', scope, client_id: 'berth' });
        res = await this.#request(realm, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      } else {
        res = await this.#request(u.toString(), { method: 'GET', headers });
      }
    } catch (err) {
      throw networkError('GET', realm, err);
    }
    const text = await res.body.text();
    if (res.statusCode === 401 || res.statusCode === 403) throw new UnauthorizedError(`unauthorized: ${errorText(text) || 'incorrect username or password'}`);
    if (res.statusCode !== 200) throw new UnavailableError(`token server ${realm} answered ${res.statusCode}`);
    let tok: { token?: string; access_token?: string; expires_in?: number };
    try { tok = JSON.parse(text) as typeof tok; } catch { throw new UnavailableError(`token server ${realm} sent invalid JSON`); }
    const t = tok.token ?? tok.access_token;
    if (!t) throw new UnauthorizedError('unauthorized: the token server returned no token');
    this.#authHeader = `Bearer ${t}`;
    this.#tokenExpiry = Date.now() + (tok.expires_in ?? 60) * 1000;
  }

  // ---- manifests

  async getManifest(reference: string, accept = MANIFEST_ACCEPT): Promise<FetchedManifest> {
    const res = await this.send('GET', `/v2/${this.path}/manifests/${reference}`, { headers: { Accept: accept } });
    if (res.statusCode !== 200) throw await responseError(res, 'GET', `/v2/${this.path}/manifests/${reference}`);
    const bytes = Buffer.from(await res.body.arrayBuffer());
    if (bytes.length > 4 * 1024 * 1024) throw new InvalidArgumentError('manifest too large');
    const ct = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    const d = res.headers['docker-content-digest'];
    return { bytes, mediaType: ct, digest: typeof d === 'string' ? d : null };
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string | null> {
    const res = await this.send('PUT', `/v2/${this.path}/manifests/${reference}`, { headers: { 'Content-Type': mediaType }, body: bytes, idempotent: true });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await responseError(res, 'PUT', `/v2/${this.path}/manifests/${reference}`);
    await res.body.dump();
    const d = res.headers['docker-content-digest'];
    return typeof d === 'string' ? d : null;
  }

  // ---- blobs

  /** The blob as bytes (configs): verified by the caller. */
  async getBlobBytes(digest: string, limit = 64 * 1024 * 1024): Promise<Buffer> {
    const res = await this.send('GET', `/v2/${this.path}/blobs/${digest}`);
    if (res.statusCode !== 200) throw await responseError(res, 'GET', `/v2/${this.path}/blobs/${digest}`);
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res.body) {
      n += (c as Buffer).length;
      if (n > limit) throw new InvalidArgumentError(`blob ${digest} is larger than ${limit} bytes`);
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /**
   * The blob as a stream that survives dropped connections: after an error it asks again
   * with Range from the bytes already passed on. Ends with an error when the blob is
   * longer or shorter than `size`.
   */
  blobStream(digest: string, size: number): Readable {
    return Readable.from(this.blobChunks(digest, size), { objectMode: false, highWaterMark: 1 << 20 });
  }

  /** blobStream() as an async iterable (no stream where the consumer takes chunks one by one). */
  blobChunks(digest: string, size: number): AsyncGenerator<Buffer> {
    const self = this;
    async function* gen(): AsyncGenerator<Buffer> {
      let got = 0;
      for (let attempt = 0; ; attempt++) {
        const headers: Record<string, string> = got > 0 ? { Range: `bytes=${got}-` } : {};
        let res: Dispatcher.ResponseData;
        res = await self.send('GET', `/v2/${self.path}/blobs/${digest}`, { headers });
        if (got > 0 && res.statusCode === 200) { await res.body.dump(); throw new UnavailableError(`registry does not support resuming ${digest}`); }
        if (res.statusCode !== 200 && res.statusCode !== 206) throw await responseError(res, 'GET', `/v2/${self.path}/blobs/${digest}`);
        try {
          for await (const c of res.body) {
            got += (c as Buffer).length;
            if (got > size) throw new InvalidArgumentError(`blob ${digest} is longer than its descriptor's ${size} bytes`);
            yield c as Buffer;
          }
        } catch (err) {
          if (err instanceof InvalidArgumentError || attempt >= self.#retries) throw err;
          await backoff(attempt);
          continue;
        }
        if (got === size) return;
        if (attempt >= self.#retries) throw new UnavailableError(`unexpected EOF: blob ${digest} ended after ${got} of ${size} bytes`);
        await backoff(attempt);
      }
    }
    return gen();
  }

  async blobExists(digest: string): Promise<number | null> {
    const res = await this.send('HEAD', `/v2/${this.path}/blobs/${digest}`);
    // Not dumped before responseError reads it: undici throws (uncaught) on a second consumer.
    if (res.statusCode !== 200 && res.statusCode !== 404) throw await responseError(res, 'HEAD', `/v2/${this.path}/blobs/${digest}`);
    await res.body.dump();
    return res.statusCode === 200 ? Number(res.headers['content-length'] ?? -1) : null;
  }

  /** Cross-repository mount; on a 202 the returned location is an upload session to use. */
  async mount(digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const url = `/v2/${this.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.send('POST', url, { idempotent: true });
    if (res.statusCode !== 201 && !(res.statusCode === 202 && res.headers.location)) throw await responseError(res, 'POST', url);
    await res.body.dump();
    if (res.statusCode === 201) return { mounted: true };
    return { mounted: false, location: String(res.headers.location) };
  }

  /** POST: a new upload session; its location. */
  async startUpload(): Promise<string> {
    const path = `/v2/${this.path}/blobs/uploads/`;
    const res = await this.send('POST', path, { idempotent: true });
    if (res.statusCode !== 202 || !res.headers.location) throw await responseError(res, 'POST', path);
    await res.body.dump();
    return String(res.headers.location);
  }

  /** POST a session, then PUT the whole blob (monolithic upload). */
  async uploadBlob(digest: string, size: number, open: () => Readable, location?: string): Promise<void> {
    const loc = location ?? await this.startUpload();
    const u = new URL(loc, await this.base());
    u.searchParams.set('digest', digest);
    const res = await this.send('PUT', u.toString(), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body: open, idempotent: false });
    if (res.statusCode !== 201 && res.statusCode !== 204) throw await responseError(res, 'PUT', u.pathname);
    await res.body.dump();
  }

  /**
   * Streams a body of unknown length into an upload session as one chunked PATCH (no
   * Content-Range: the spec's streamed upload, what dockerd does). Resolves with the location
   * to go on with once the registry took it all (202); rejects with the registry's answer
   * (responseError: its cause is a RegistryResponseError with the status) or a network error.
   * The body cannot be replayed: a 401 in the middle fails the upload.
   */
  async patchUpload(location: string, body: Readable): Promise<string> {
    const u = new URL(location, await this.base());
    let opened = false;
    const open = (): Readable => {
      if (opened) throw new UnauthorizedError(`Patch "${u.toString()}": unauthorized: authentication expired during the upload`);
      opened = true;
      return body;
    };
    const res = await this.send('PATCH', u.toString(), { headers: { 'Content-Type': 'application/octet-stream' }, body: open, idempotent: false });
    if (res.statusCode !== 202) throw await responseError(res, 'PATCH', u.pathname);
    await res.body.dump();
    return res.headers.location ? String(res.headers.location) : location;
  }

  /** Closes an upload session whose bytes were all sent: PUT ?digest= with no body. */
  async finishUpload(location: string, digest: string): Promise<void> {
    const u = new URL(location, await this.base());
    u.searchParams.set('digest', digest);
    const res = await this.send('PUT', u.toString(), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '0' }, body: '', idempotent: false });
    if (res.statusCode !== 201 && res.statusCode !== 204) throw await responseError(res, 'PUT', u.pathname);
    await res.body.dump();
  }

  /** Cancels an upload session (DELETE), best effort: never throws, gives up after `timeoutMs`. */
  async cancelUpload(location: string, timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const attempt = (async () => {
      const u = new URL(location, await this.base());
      const res = await this.send('DELETE', u.toString(), { idempotent: false });
      await res.body.dump();
    })().catch(() => undefined);
    await Promise.race([attempt, new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }
}

function sameHost(url: string, host: string): boolean {
  try { return new URL(url).host === host; } catch { return false; }
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
}

function networkError(method: string, url: string, err: unknown): Error {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const u = (() => { try { return new URL(url); } catch { return null; } })();
  if (code === 'ECONNREFUSED' && u) {
    return new UnavailableError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": dial tcp ${u.host}: connect: connection refused`, { cause: err });
  }
  return new UnavailableError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${e.message ?? String(err)}`, { cause: err });
}

function errorText(text: string): string {
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[]; details?: string };
    const e = doc.errors?.[0];
    if (e) return `${e.message ?? e.code ?? ''}`;
    if (doc.details) return doc.details;
  } catch { /* not JSON */ }
  return text.trim().slice(0, 200);
}

/** Turns a non-success answer into the error kind and wording Docker uses. */
export async function responseError(res: Dispatcher.ResponseData, method: string, path: string): Promise<Error> {
  const text = await res.body.text().catch(() => '');
  let code = '';
  let message = '';
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    code = doc.errors?.[0]?.code ?? '';
    message = doc.errors?.[0]?.message ?? '';
  } catch { /* not JSON */ }
  const what = code ? `${code.toLowerCase().replace(/_/g, ' ')}: ${message}` : `received unexpected HTTP status: ${res.statusCode}`;
  const cause = new RegistryResponseError(res.statusCode, code, what);
  switch (res.statusCode) {
    case 401: return new UnauthorizedError(code ? `unauthorized: ${message || 'authentication required'}` : 'unauthorized: authentication required', { cause });
    case 403: return new ForbiddenError(code ? `denied: ${message}` : 'denied: requested access to the resource is denied', { cause });
    case 404: return new NotFoundError(what, { cause });
    case 400: case 416: return new InvalidArgumentError(what, { cause });
    default:
      return new UnavailableError(code ? what : `${method[0]}${method.slice(1).toLowerCase()} ${path}: received unexpected HTTP status: ${res.statusCode} ${statusText(res.statusCode)}`, { cause });
  }
}

function statusText(s: number): string {
  return ({ 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 429: 'Too Many Requests' } as Record<number, string>)[s] ?? '';
}
