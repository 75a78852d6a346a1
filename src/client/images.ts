// Image endpoints: list, inspect, tag, remove, import (POST /images/create?fromSrc=-, the
// tarball streamed as the body) and create from a registry (fromImage, for pull).
import type { Readable } from 'node:stream';
import { SESSION_PATH, type ImageDeleteItem, type ImageHistoryItem, type ImageInspect, type ImageSummary } from '../api/types/index.ts';
import type { HijackedConnection } from './hijack.ts';
import { encodeFilters, type Filters } from './filters.ts';
import type { WithRaw } from './containers.ts';
import type { Transport } from './transport.ts';

export interface ImportOptions {
  /** "-" when the tarball is the body (the default); a URL for the daemon to fetch. */
  sourceName?: string;
  /** The repository[:tag] reference for the new image ("" for none). */
  reference?: string;
  message?: string;
  changes?: readonly string[];
  platform?: string;
}

export interface ImagesApi {
  list(opts?: { all?: boolean; filters?: Filters }): Promise<ImageSummary[]>;
  inspect(name: string): Promise<WithRaw<ImageInspect>>;
  history(name: string): Promise<ImageHistoryItem[]>;
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(name: string, opts?: { force?: boolean; noPrune?: boolean }): Promise<ImageDeleteItem[]>;
  /** GET /images/get?names=…: the image archive (docker save). */
  save(names: readonly string[]): Promise<Readable>;
  /** POST /images/load: the archive as the body; returns the JSON-message stream. */
  load(source: Readable, quiet: boolean): Promise<Readable>;
  /** Returns the JSON-message progress stream; `source` is null when importing from a URL. */
  import(source: Readable | Buffer | null, opts?: ImportOptions): Promise<Readable>;
  /** POST /images/create?fromImage=…&tag=…; returns the JSON-message progress stream. */
  pull(image: string, tag: string, opts?: { platform?: string; registryAuth?: string }): Promise<Readable>;
  /** POST /images/{name}/push?tag=…; returns the JSON-message progress stream. */
  push(name: string, tag: string | undefined, registryAuth: string): Promise<Readable>;
  /** POST /auth: checks credentials with the registry (docker login). */
  login(auth: { username: string; password: string; serveraddress: string }): Promise<{ Status: string; IdentityToken?: string }>;
  /** POST /build with the context tar as the body; returns the JSON-message stream. */
  build(context: Readable, opts: BuildQuery): Promise<Readable>;
  /** berth: opens a build session (hijacked) that forwards the ssh agents `ssh` (api/types/build-session.ts). */
  buildSession(id: string, ssh: readonly string[]): Promise<HijackedConnection>;
  /** POST /images/prune. */
  prune?(opts?: { filters?: Filters }): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }>;
  /** POST /commit: a container's changes become an image; resolves its id. */
  commit?(container: string, opts: CommitOptions): Promise<{ Id: string }>;
}

export interface CommitOptions {
  reference?: string;
  comment?: string;
  author?: string;
  changes?: readonly string[];
  pause?: boolean;
}

/** The classic builder's query parameters (docker/cli build options). */
export interface BuildQuery {
  tags?: readonly string[];
  dockerfile?: string;
  buildArgs?: Record<string, string | null>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  rm?: boolean;
  forceRm?: boolean;
  quiet?: boolean;
  networkMode?: string;
  extraHosts?: readonly string[];
  cacheFrom?: readonly string[];
  platform?: string;
  /** berth: ids of the secrets sent as the context's .berth-secrets/<i> files. */
  secrets?: readonly string[];
  /** berth: ssh agent ids served over the build session `session` (buildSession). */
  ssh?: readonly string[];
  session?: string;
}

const enc = encodeURIComponent;

export class ImagesClient implements ImagesApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  list(opts: { all?: boolean; filters?: Filters } = {}): Promise<ImageSummary[]> {
    return this.#t.json({
      method: 'GET', path: '/images/json', query: { all: opts.all ? true : undefined, filters: encodeFilters(opts.filters) },
    });
  }

  async inspect(name: string): Promise<WithRaw<ImageInspect>> {
    const raw = await this.#t.text({ method: 'GET', path: `/images/${enc(name)}/json` });
    return { value: JSON.parse(raw) as ImageInspect, raw };
  }

  history(name: string): Promise<ImageHistoryItem[]> {
    return this.#t.json({ method: 'GET', path: `/images/${enc(name)}/history` });
  }

  tag(source: string, repo: string, tag?: string): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/images/${enc(source)}/tag`, query: { repo, tag: tag || undefined } });
  }

  remove(name: string, opts: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    return this.#t.json({
      method: 'DELETE',
      path: `/images/${enc(name)}`,
      query: { force: opts.force ? true : undefined, noprune: opts.noPrune ? true : undefined },
    });
  }

  prune(opts: { filters?: Filters } = {}): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }> {
    return this.#t.json({ method: 'POST', path: '/images/prune', query: { filters: encodeFilters(opts.filters) } });
  }

  commit(container: string, o: CommitOptions): Promise<{ Id: string }> {
    const ref = o.reference ?? '';
    const slash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, ''];
    return this.#t.json({
      method: 'POST', path: '/commit',
      query: {
        container, repo: repo || undefined, tag: tag || undefined, comment: o.comment || undefined, author: o.author || undefined,
        changes: o.changes && o.changes.length ? o.changes : undefined, pause: o.pause === false ? false : true,
      },
      body: {},
    });
  }

  async save(names: readonly string[]): Promise<Readable> {
    const res = await this.#t.request({ method: 'GET', path: '/images/get', query: { names: [...names] } });
    return res.body;
  }

  async load(source: Readable, quiet: boolean): Promise<Readable> {
    const res = await this.#t.request({ method: 'POST', path: '/images/load', query: { quiet: quiet ? '1' : '0' }, rawBody: source, contentType: 'application/x-tar' });
    return res.body;
  }

  async import(source: Readable | Buffer | null, opts: ImportOptions = {}): Promise<Readable> {
    const res = await this.#t.request({
      method: 'POST',
      path: '/images/create',
      query: {
        fromSrc: opts.sourceName ?? '-',
        repo: opts.reference || undefined,
        message: opts.message || undefined,
        changes: opts.changes && opts.changes.length > 0 ? opts.changes : undefined,
        platform: opts.platform || undefined,
      },
      ...(source === null ? {} : { rawBody: source, contentType: 'application/x-tar' }),
    });
    return res.body;
  }

  buildSession(id: string, ssh: readonly string[]): Promise<HijackedConnection> {
    return this.#t.hijack({ path: SESSION_PATH, query: { id, ssh: JSON.stringify(ssh) } });
  }

  async build(context: Readable, o: BuildQuery): Promise<Readable> {
    const res = await this.#t.request({
      method: 'POST',
      path: '/build',
      query: {
        t: o.tags && o.tags.length ? o.tags : undefined,
        dockerfile: o.dockerfile || undefined,
        buildargs: o.buildArgs && Object.keys(o.buildArgs).length ? JSON.stringify(o.buildArgs) : undefined,
        labels: o.labels && Object.keys(o.labels).length ? JSON.stringify(o.labels) : undefined,
        target: o.target || undefined,
        nocache: o.noCache ? true : undefined,
        pull: o.pull ? true : undefined,
        rm: o.rm === false ? false : true,
        forcerm: o.forceRm ? true : undefined,
        q: o.quiet ? true : undefined,
        networkmode: o.networkMode || undefined,
        extrahosts: o.extraHosts && o.extraHosts.length ? o.extraHosts.join(',') : undefined,
        cachefrom: o.cacheFrom && o.cacheFrom.length ? JSON.stringify(o.cacheFrom) : undefined,
        platform: o.platform || undefined,
        secrets: o.secrets && o.secrets.length ? JSON.stringify(o.secrets) : undefined,
        ssh: o.ssh && o.ssh.length ? JSON.stringify(o.ssh) : undefined,
        session: o.ssh && o.ssh.length ? o.session : undefined,
      },
      rawBody: context,
      contentType: 'application/x-tar',
    });
    return res.body;
  }

  async pull(image: string, tag: string, opts: { platform?: string; registryAuth?: string } = {}): Promise<Readable> {
    const res = await this.#t.request({
      method: 'POST', path: '/images/create', query: { fromImage: image, tag: tag || undefined, platform: opts.platform || undefined },
      ...(opts.registryAuth ? { headers: { 'X-Registry-Auth': opts.registryAuth } } : {}),
    });
    return res.body;
  }

  async push(name: string, tag: string | undefined, registryAuth: string): Promise<Readable> {
    const res = await this.#t.request({
      method: 'POST', path: `/images/${enc(name)}/push`, query: { tag: tag || undefined }, headers: { 'X-Registry-Auth': registryAuth },
    });
    return res.body;
  }

  login(auth: { username: string; password: string; serveraddress: string }): Promise<{ Status: string; IdentityToken?: string }> {
    return this.#t.json({ method: 'POST', path: '/auth', body: auth });
  }
}
