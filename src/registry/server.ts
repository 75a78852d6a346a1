// `berth registry serve`: the OCI distribution spec (opencontainers/distribution-spec
// spec.md) over node:http, on RegistryStorage. Every answer carries
// Docker-Distribution-API-Version; errors are the spec's {"errors":[…]} bodies.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { KeyedMutex, type Logger } from '../lib/index.ts';
import { INDEX_TYPES, MANIFEST_TYPES, ManifestError, isDigest, parseManifest, type Descriptor } from '../oci/index.ts';
import { RegistryError } from './errors.ts';
import { HtpasswdAuth, parseBasicAuth, parseHtpasswd } from './htpasswd.ts';
import { RegistryStorage } from './storage.ts';
import { TokenIssuer, allows, parseScope, type Access } from './token.ts';

export interface RegistryOptions {
  root: string;
  htpasswd?: string;
  readOnly?: boolean;
  /** DELETE of manifests and blobs (distribution's storage.delete.enabled); on by default. */
  deleteEnabled?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  realm?: string;
  /** Token auth: the registry issues Bearer tokens at /token to htpasswd users. */
  token?: boolean;
}

const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const MAX_MANIFEST = 4 * 1024 * 1024;

type Handler = (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, url: URL) => Promise<void>;

export function validRepoName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

export class RegistryServer {
  readonly storage: RegistryStorage;
  #auth: HtpasswdAuth | null = null;
  #tokens: TokenIssuer | null = null;
  #lock = new KeyedMutex();
  #server: Server | null = null;
  readonly #routes: { method: string[]; re: RegExp; h: Handler }[];

  constructor(private readonly opts: RegistryOptions, private readonly log: Logger) {
    this.storage = new RegistryStorage(opts.root);
    if (opts.htpasswd) this.#auth = new HtpasswdAuth(parseHtpasswd(readFileSync(opts.htpasswd, 'utf8')));
    if (opts.token) {
      if (!this.#auth) throw new Error('--token needs --htpasswd (the users tokens are issued to)');
      this.#tokens = new TokenIssuer();
    }
    const N = '(.+?)';
    this.#routes = [
      { method: ['GET', 'HEAD'], re: /^\/v2\/?$/, h: async (_q, r) => { send(r, 200, '{}', 'application/json'); } },
      { method: ['GET'], re: /^\/v2\/_catalog$/, h: (q, r, _m, u) => this.#catalog(r, u) },
      { method: ['POST'], re: new RegExp(`^/v2/${N}/blobs/uploads/?$`), h: (q, r, m, u) => this.#startUpload(q, r, m[1]!, u) },
      { method: ['GET', 'HEAD', 'PATCH', 'PUT', 'DELETE'], re: new RegExp(`^/v2/${N}/blobs/uploads/([^/]+)$`), h: (q, r, m, u) => this.#upload(q, r, m[1]!, m[2]!, u) },
      { method: ['GET', 'HEAD', 'DELETE'], re: new RegExp(`^/v2/${N}/blobs/([^/]+)$`), h: (q, r, m) => this.#blob(q, r, m[1]!, m[2]!) },
      { method: ['GET', 'HEAD', 'PUT', 'DELETE'], re: new RegExp(`^/v2/${N}/manifests/([^/]+)$`), h: (q, r, m) => this.#manifest(q, r, m[1]!, m[2]!) },
      { method: ['GET'], re: new RegExp(`^/v2/${N}/tags/list$`), h: (q, r, m, u) => this.#tags(r, m[1]!, u) },
      { method: ['GET'], re: new RegExp(`^/v2/${N}/referrers/([^/]+)$`), h: (q, r, m, u) => this.#referrers(r, m[1]!, m[2]!, u) },
    ];
  }

  async listen(addr: string): Promise<{ host: string; port: number }> {
    await this.storage.init();
    const { host, port } = splitAddr(addr);
    const handler = (req: IncomingMessage, res: ServerResponse): void => { void this.handle(req, res); };
    this.#server = this.opts.tlsCert && this.opts.tlsKey
      ? createHttps({ cert: readFileSync(this.opts.tlsCert), key: readFileSync(this.opts.tlsKey) }, handler)
      : createHttp(handler);
    this.#server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(port, host, () => resolve());
    });
    const a = this.#server.address();
    return { host, port: typeof a === 'object' && a ? a.port : port };
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    try {
      if (url.pathname === '/token' && this.#tokens) { await this.#issueToken(req, res, url); return; }
      if (!url.pathname.startsWith('/v2')) throw new RegistryError('UNSUPPORTED', 'not found', undefined, 404);
      if (!this.#tokens) await this.#authorize(req, res);
      if (this.opts.readOnly && !['GET', 'HEAD'].includes(method)) {
        throw new RegistryError('UNSUPPORTED', 'the registry is in read-only mode');
      }
      for (const r of this.#routes) {
        const m = r.re.exec(url.pathname);
        if (!m) continue;
        if (!r.method.includes(method)) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.', undefined, 405);
        if (m[1] !== undefined && !validRepoName(m[1])) throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: m[1] });
        if (this.#tokens) this.#authorizeToken(req, res, url.pathname === '/v2/_catalog' ? null : m[1] ?? null, method);
        await r.h(req, res, m, url);
        return;
      }
      throw new RegistryError('UNSUPPORTED', 'not found', undefined, 404);
    } catch (err) {
      const e = err instanceof RegistryError ? err : new RegistryError('UNKNOWN', err instanceof Error ? err.message : String(err));
      if (!(err instanceof RegistryError)) this.log.warn({ err, method, path: url.pathname }, 'registry request failed');
      if (res.headersSent) { res.destroy(); return; }
      // The rest of a body nobody will read would otherwise stall a keep-alive connection.
      if (!req.readableEnded) req.resume();
      send(res, e.status, method === 'HEAD' ? '' : e.body(), 'application/json');
    }
  }

  async #authorize(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#auth) return;
    const cred = parseBasicAuth(req.headers.authorization);
    if (cred && await this.#auth.verify(cred.user, cred.password)) return;
    res.setHeader('WWW-Authenticate', `Basic realm="${this.opts.realm ?? 'berth-registry'}"`);
    throw new RegistryError('UNAUTHORIZED', 'authentication required', null);
  }

  #actionOf(method: string): string {
    if (method === 'GET' || method === 'HEAD') return 'pull';
    if (method === 'DELETE') return 'delete';
    return 'push';
  }

  /** Bearer mode: the token must grant the action on the repository (any valid token for /v2/). */
  #authorizeToken(req: IncomingMessage, res: ServerResponse, repo: string | null, method: string): void {
    const action = this.#actionOf(method);
    const host = req.headers.host ?? 'localhost';
    const realm = `${this.opts.tlsCert ? 'https' : 'http'}://${host}/token`;
    const scope = repo ? `repository:${repo}:${action === 'push' ? 'pull,push' : action}` : '';
    const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const access: Access[] | null = m ? this.#tokens!.verify(m[1]!) : null;
    const ok = access !== null && (repo === null || allows(access, repo, action));
    if (ok) return;
    const insufficient = access !== null;
    res.setHeader('WWW-Authenticate', `Bearer realm="${realm}",service="${this.#tokens!.service}"${scope ? `,scope="${scope}"` : ''}${insufficient ? ',error="insufficient_scope"' : ''}`);
    throw new RegistryError('UNAUTHORIZED', 'authentication required', repo ? [{ Type: 'repository', Name: repo, Action: action }] : null);
  }

  async #issueToken(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    req.resume();
    const cred = parseBasicAuth(req.headers.authorization);
    let subject = '';
    if (cred) {
      if (!(await this.#auth!.verify(cred.user, cred.password))) {
        res.setHeader('WWW-Authenticate', `Basic realm="${this.opts.realm ?? 'berth-registry'}"`);
        send(res, 401, JSON.stringify({ details: 'incorrect username or password' }), 'application/json');
        return;
      }
      subject = cred.user;
    }
    // htpasswd users get what they ask for; anonymous clients get an empty grant (a token
    // that opens /v2/ only), so pulls and pushes need a login, as with distribution's htpasswd.
    const access = subject ? url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map(parseScope).filter((a): a is Access => a !== null) : [];
    const t = this.#tokens!.issue(subject, access);
    send(res, 200, JSON.stringify({ token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt }), 'application/json');
  }

  // ---- blobs

  async #blob(req: IncomingMessage, res: ServerResponse, repo: string, digest: string): Promise<void> {
    if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest });
    if (req.method === 'DELETE') {
      if (this.opts.deleteEnabled === false) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.');
      if (!(await this.storage.unlinkBlob(repo, digest))) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      send(res, 202, '', undefined, { 'Docker-Content-Digest': digest });
      return;
    }
    const size = await this.storage.repoBlobSize(repo, digest);
    if (size === null) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest, 'Accept-Ranges': 'bytes',
      'ETag': `"${digest}"`, 'Cache-Control': 'max-age=31536000',
    };
    let range: { start: number; end: number } | undefined;
    const rh = req.headers.range;
    if (rh) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(rh.trim());
      if (!m || (m[1] === '' && m[2] === '')) throw new RegistryError('RANGE_INVALID', 'invalid range', { range: rh }, 416);
      let start: number; let end: number;
      if (m[1] === '') { start = Math.max(0, size - Number(m[2])); end = size - 1; } else { start = Number(m[1]); end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1); }
      if (start >= size || start > end) {
        res.setHeader('Content-Range', `bytes */${size}`);
        throw new RegistryError('RANGE_INVALID', 'requested range not satisfiable', { range: rh }, 416);
      }
      range = { start, end };
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['Content-Length'] = range ? range.end - range.start + 1 : size;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || headers['Content-Length'] === 0) { res.end(); return; }
    await pipeline(this.storage.blobStream(digest, range), res).catch(() => res.destroy());
  }

  // ---- uploads

  async #startUpload(req: IncomingMessage, res: ServerResponse, repo: string, url: URL): Promise<void> {
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount !== null) {
      if (!isDigest(mount)) throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest: mount });
      if (from && validRepoName(from) && (await this.storage.repoBlobSize(from, mount)) !== null) {
        await this.storage.linkBlob(repo, mount);
        req.resume();
        send(res, 201, '', undefined, { 'Location': `/v2/${repo}/blobs/${mount}`, 'Docker-Content-Digest': mount });
        return;
      }
      // Not mountable: the spec says to fall back to a new upload session.
    }
    const digest = url.searchParams.get('digest');
    if (digest !== null) {
      if (!isDigest(digest) || !digest.startsWith('sha256:')) throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest });
      const up = await this.storage.startUpload(repo);
      try {
        await this.storage.append(up, req, contentLength(req));
        await this.storage.finish({ ...up }, digest);
      } catch (err) {
        await this.storage.cancelUpload(up);
        throw err;
      }
      send(res, 201, '', undefined, { 'Location': `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest });
      return;
    }
    const up = await this.storage.startUpload(repo);
    // A POST with a body and no digest: the body starts the upload (docker never does this).
    const len = contentLength(req);
    if (len !== null && len > 0) up.size = await this.storage.append(up, req, len);
    else req.resume();
    send(res, 202, '', undefined, uploadHeaders(repo, up.uuid, up.size));
  }

  async #upload(req: IncomingMessage, res: ServerResponse, repo: string, uuid: string, url: URL): Promise<void> {
    await this.#lock.run(uuid, async () => {
      const up = await this.storage.upload(repo, uuid);
      switch (req.method) {
        case 'GET': case 'HEAD':
          send(res, 204, '', undefined, uploadHeaders(repo, uuid, up.size));
          return;
        case 'DELETE':
          await this.storage.cancelUpload(up);
          send(res, 204, '');
          return;
        case 'PATCH': {
          const cr = req.headers['content-range'];
          if (cr !== undefined) {
            const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(String(cr).trim());
            if (!m || Number(m[1]) !== up.size || Number(m[2]) < Number(m[1])) {
              req.resume();
              res.setHeader('Range', `0-${Math.max(0, up.size - 1)}`);
              res.setHeader('Location', `/v2/${repo}/blobs/uploads/${uuid}`);
              throw new RegistryError('RANGE_INVALID', 'invalid content range', { contentRange: cr }, 416);
            }
            const len = contentLength(req);
            if (len !== null && len !== Number(m[2]) - Number(m[1]) + 1) {
              req.resume();
              throw new RegistryError('SIZE_INVALID', 'Content-Range and Content-Length disagree', { contentRange: cr, contentLength: len }, 416);
            }
          }
          const size = await this.storage.append(up, req, contentLength(req));
          send(res, 202, '', undefined, uploadHeaders(repo, uuid, size));
          return;
        }
        case 'PUT': {
          const digest = url.searchParams.get('digest');
          if (digest === null || !isDigest(digest) || !digest.startsWith('sha256:')) {
            req.resume();
            throw new RegistryError('DIGEST_INVALID', 'digest missing or invalid', { digest });
          }
          const len = contentLength(req);
          if (len === null || len > 0 || req.headers['transfer-encoding']) up.size = await this.storage.append(up, req, len);
          else req.resume();
          try {
            await this.storage.finish(up, digest);
          } catch (err) {
            // A digest mismatch ends the session (distribution cancels it too).
            await this.storage.cancelUpload(up);
            throw err;
          }
          send(res, 201, '', undefined, { 'Location': `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest });
          return;
        }
      }
    });
  }

  // ---- manifests

  async #resolve(repo: string, reference: string): Promise<string> {
    if (isDigest(reference)) return reference;
    if (!TAG_RE.test(reference)) throw new RegistryError('TAG_INVALID', 'manifest tag did not match URI', { tag: reference });
    const d = await this.storage.tagDigest(repo, reference);
    if (d === null) {
      if (!(await this.storage.repoExists(repo))) throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repo });
      throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { Tag: reference });
    }
    return d;
  }

  async #manifest(req: IncomingMessage, res: ServerResponse, repo: string, reference: string): Promise<void> {
    if (req.method === 'PUT') return this.#putManifest(req, res, repo, reference);
    if (req.method === 'DELETE') {
      if (this.opts.deleteEnabled === false) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.');
      if (!isDigest(reference)) {
        // OCI allows deleting a tag; distribution 2.8 does not. Both are answered the same way here.
        if (!TAG_RE.test(reference)) throw new RegistryError('TAG_INVALID', 'invalid tag', { tag: reference });
        if (!(await this.storage.deleteTag(repo, reference))) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { Tag: reference });
        send(res, 202, '');
        return;
      }
      if (!(await this.storage.deleteManifest(repo, reference))) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { Digest: reference });
      send(res, 202, '');
      return;
    }
    const digest = await this.#resolve(repo, reference);
    const m = await this.storage.getManifest(repo, digest);
    if (!m) {
      if (!(await this.storage.repoExists(repo))) throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repo });
      throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', isDigest(reference) ? { Digest: reference } : { Tag: reference });
    }
    const accept = acceptList(req.headers.accept);
    if (accept.length > 0 && !accept.includes('*/*') && !accept.includes(m.mediaType)) {
      // distribution answers an index the client cannot take with MANIFEST_UNKNOWN.
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest of type ${m.mediaType} found, but the Accept header does not allow it`, { Accept: accept });
    }
    res.writeHead(200, {
      'Content-Type': m.mediaType, 'Content-Length': m.bytes.length, 'Docker-Content-Digest': digest, 'ETag': `"${digest}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  }

  async #putManifest(req: IncomingMessage, res: ServerResponse, repo: string, reference: string): Promise<void> {
    const byDigest = isDigest(reference);
    if (!byDigest && !TAG_RE.test(reference)) { req.resume(); throw new RegistryError('TAG_INVALID', 'manifest tag did not match URI', { tag: reference }); }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_MANIFEST) throw new RegistryError('MANIFEST_INVALID', 'manifest too large', { limit: MAX_MANIFEST }, 413);
      chunks.push(c as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    let parsed;
    try {
      parsed = parseManifest(bytes, String(req.headers['content-type'] ?? ''));
    } catch (err) {
      throw new RegistryError('MANIFEST_INVALID', 'manifest invalid', { reason: (err as ManifestError).message });
    }
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (byDigest && reference !== digest) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { Expected: reference, Actual: digest });
    const missing: Descriptor[] = [];
    if (parsed.kind === 'manifest') {
      for (const d of [parsed.manifest.config, ...parsed.manifest.layers]) {
        if (d.urls?.length) continue; // foreign layers live elsewhere
        if ((await this.storage.repoBlobSize(repo, d.digest)) === null) missing.push(d);
        else if ((await this.storage.blobSize(d.digest)) !== d.size) {
          throw new RegistryError('MANIFEST_INVALID', 'manifest invalid', { reason: `size of ${d.digest} is not ${d.size}` });
        }
      }
    } else {
      for (const d of parsed.index.manifests) {
        if ([...MANIFEST_TYPES, ...INDEX_TYPES].includes(d.mediaType) && !(await this.storage.hasManifest(repo, d.digest))) missing.push(d);
      }
    }
    if (missing.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: missing[0]!.digest });
    }
    await this.storage.putManifest(repo, bytes, parsed.mediaType, byDigest ? null : reference);
    const headers: Record<string, string> = { 'Location': `/v2/${repo}/manifests/${digest}`, 'Docker-Content-Digest': digest };
    const subject = parsed.kind === 'manifest' ? parsed.manifest.subject : parsed.index.subject;
    if (subject) {
      const doc = parsed.kind === 'manifest' ? parsed.manifest : parsed.index;
      const artifactType = doc.artifactType ?? (parsed.kind === 'manifest' ? parsed.manifest.config.mediaType : undefined);
      await this.storage.addReferrer(repo, subject.digest, {
        mediaType: parsed.mediaType, digest, size: bytes.length,
        ...(artifactType ? { artifactType } : {}), ...(doc.annotations ? { annotations: doc.annotations } : {}),
      });
      headers['OCI-Subject'] = subject.digest;
    }
    send(res, 201, '', undefined, headers);
  }

  // ---- listings

  async #tags(res: ServerResponse, repo: string, url: URL): Promise<void> {
    if (!(await this.storage.repoExists(repo))) throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', { name: repo });
    const page = paginate(await this.storage.tags(repo), url);
    if (page.next) res.setHeader('Link', `</v2/${repo}/tags/list?${page.next}>; rel="next"`);
    send(res, 200, JSON.stringify({ name: repo, tags: page.items }), 'application/json');
  }

  async #catalog(res: ServerResponse, url: URL): Promise<void> {
    const page = paginate(await this.storage.repositories(), url);
    if (page.next) res.setHeader('Link', `</v2/_catalog?${page.next}>; rel="next"`);
    send(res, 200, JSON.stringify({ repositories: page.items }), 'application/json');
  }

  async #referrers(res: ServerResponse, repo: string, digest: string, url: URL): Promise<void> {
    if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'invalid digest', { digest });
    let list = await this.storage.referrers(repo, digest) as { artifactType?: string }[];
    const filter = url.searchParams.get('artifactType');
    if (filter) {
      list = list.filter((d) => d.artifactType === filter);
      res.setHeader('OCI-Filters-Applied', 'artifactType');
    }
    send(res, 200, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: list }), 'application/vnd.oci.image.index.v1+json');
  }
}

/** `n` and `last` as the spec defines them: entries sorted, those after `last`, at most `n`. */
export function paginate(all: string[], url: URL): { items: string[]; next: string | null } {
  const last = url.searchParams.get('last');
  const nRaw = url.searchParams.get('n');
  let items = last ? all.filter((t) => t > last) : all;
  if (nRaw === null || nRaw === '') return { items, next: null };
  const n = Number(nRaw);
  if (!Number.isInteger(n) || n < 0) throw new RegistryError('UNSUPPORTED', 'invalid n', { n: nRaw }, 400);
  const more = items.length > n;
  items = items.slice(0, n);
  if (!more || n === 0) return { items, next: null };
  return { items, next: `n=${n}&last=${encodeURIComponent(items.at(-1)!)}` };
}

function acceptList(h: string | undefined): string[] {
  if (!h) return [];
  return h.split(',').map((s) => s.split(';')[0]!.trim()).filter(Boolean);
}

function contentLength(req: IncomingMessage): number | null {
  const v = req.headers['content-length'];
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function uploadHeaders(repo: string, uuid: string, size: number): Record<string, string> {
  return {
    'Location': `/v2/${repo}/blobs/uploads/${uuid}`,
    'Range': `0-${Math.max(0, size - 1)}`,
    'Docker-Upload-UUID': uuid,
  };
}

function send(res: ServerResponse, status: number, body: string, type?: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, ...(type ? { 'Content-Type': type } : {}), 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address ${addr}: want HOST:PORT`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}
