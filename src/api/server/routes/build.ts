// POST /build (the classic builder's endpoint: docker build with DOCKER_BUILDKIT=0 or
// without buildx, docker-py images.build, docker-compose build), POST /build/prune and
// POST /commit. The build's body is the context tar; the answer streams Docker's JSON messages ({"stream":…},
// {"aux":{"ID":…}}, {"errorDetail":…,"error":…}). Errors before the first message are plain
// HTTP errors (a bad context, a Dockerfile that does not parse); later ones are messages.
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotImplementedError, messageOf } from '../../../lib/index.ts';
import type { Route } from '../router.ts';
import type { Exchange } from '../exchange.ts';
import { SESSION_PATH, type BuildMessage, type BuildRequest } from '../../types/index.ts';
import type { Hijacked } from '../exchange.ts';

export type { BuildRequest } from '../../types/index.ts';

export interface CommitRequest {
  container: string;
  reference?: string | undefined;
  comment?: string | undefined;
  author?: string | undefined;
  pause: boolean;
  changes: string[];
  config?: Record<string, unknown> | undefined;
}

export interface BuildRouteBackend {
  build(context: Readable, o: BuildRequest, emit: (m: BuildMessage) => void | Promise<void>, signal: AbortSignal): Promise<string>;
  prune(all: boolean, filters: Record<string, string[]>): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }>;
  commit(o: CommitRequest): Promise<string>;
  /** berth's build session (berth build --ssh): served until the connection closes. */
  session?(id: string, ssh: string[], conn: Hijacked): Promise<void>;
}

function idList(x: Exchange, name: string, what: string): string[] {
  const v = jsonParam<string[]>(x, name, []);
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) throw new InvalidArgumentError(`invalid ${name} parameter: a JSON list of ${what} is expected`);
  return v;
}

function jsonParam<T>(x: Exchange, name: string, fallback: T): T {
  const raw = x.query.get(name);
  if (raw === null || raw === '') return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new InvalidArgumentError(`invalid ${name} parameter: ${raw}`);
  }
}

export function parseBuildQuery(x: Exchange): BuildRequest {
  if (x.query.get('remote')) throw new NotImplementedError('building from a remote context (git URL or tarball URL) is not supported; send the context as the request body');
  if (x.query.get('version') === '2') throw new NotImplementedError('BuildKit (version=2) is not supported by berth; use the classic builder (DOCKER_BUILDKIT=0)');
  const buildArgs = jsonParam<Record<string, string | null>>(x, 'buildargs', {});
  const labels = jsonParam<Record<string, string>>(x, 'labels', {});
  const cacheFrom = jsonParam<string[]>(x, 'cachefrom', []);
  const extraHosts = x.query.getAll('extrahosts').flatMap((h) => h.split(',')).filter((h) => h !== '');
  const networkMode = x.query.get('networkmode') || undefined;
  // berth's channel for build secrets (the classic API has none): ids of .berth-secrets/<i> in the context.
  const secrets = jsonParam<string[]>(x, 'secrets', []);
  if (!Array.isArray(secrets) || secrets.some((s) => typeof s !== 'string' || s === '')) throw new InvalidArgumentError('invalid secrets parameter: a JSON list of secret ids is expected');
  // berth's ssh forwarding: agent ids the client serves over its build session (session=<id>).
  const ssh = idList(x, 'ssh', 'ssh ids');
  const session = x.query.get('session') || undefined;
  if (ssh.length && !session) throw new InvalidArgumentError('the ssh parameter needs a build session (session=<id>, opened at POST /session/build)');
  return {
    dockerfile: x.query.get('dockerfile') || 'Dockerfile',
    tags: x.query.getAll('t').filter((t) => t !== ''),
    buildArgs, labels,
    target: x.query.get('target') ?? '',
    noCache: x.bool('nocache'),
    rm: x.bool('rm', true),
    forceRm: x.bool('forcerm'),
    quiet: x.bool('q'),
    networkMode: networkMode === 'default' ? undefined : networkMode,
    extraHosts, cacheFrom: Array.isArray(cacheFrom) ? cacheFrom : [],
    pull: x.bool('pull'),
    platform: x.query.get('platform') || undefined,
    ...(secrets.length ? { secrets } : {}),
    ...(ssh.length ? { ssh, session } : {}),
    ...(typeof x.req.headers['x-registry-config'] === 'string' ? { registryConfig: x.req.headers['x-registry-config'] } : {}),
  };
}

export function buildRoutes(b: BuildRouteBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'POST', path: '/build', handler: async (x) => {
      const o = parseBuildQuery(x);
      let out: ReturnType<Exchange['stream']> | null = null;
      const emit = (m: BuildMessage): void | Promise<void> => {
        out ??= x.stream('application/json');
        if (!out.write(JSON.stringify(m) + '\r\n')) return out.drained();
      };
      try {
        await b.build(x.req, o, emit, x.signal);
      } catch (err) {
        if (out === null) throw err;
        const message = messageOf(err);
        const code = (err as { exitCode?: unknown }).exitCode;
        await emit({ errorDetail: typeof code === 'number' ? { code, message } : { message }, error: message });
      }
      (out as ReturnType<Exchange['stream']> | null)?.end();
    } },
    { method: 'POST', path: SESSION_PATH, handler: async (x) => {
      if (!b.session) throw new NotImplementedError('build sessions are not supported');
      const id = x.query.get('id') ?? '';
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id)) throw new InvalidArgumentError(`invalid build session id ${JSON.stringify(id)}`);
      const ssh = idList(x, 'ssh', 'ssh ids');
      // Checked before the connection is taken over, so a refusal is a plain HTTP error.
      const h = x.hijack('application/vnd.berth.build-session');
      await b.session(id, ssh, h).catch(() => h.end());
    } },
    { method: 'POST', path: '/commit', handler: async (x) => {
      const container = x.query.get('container');
      if (!container) throw new InvalidArgumentError('container is required');
      const repo = x.query.get('repo') ?? '';
      const tag = x.query.get('tag') ?? '';
      if (!repo && tag) throw new InvalidArgumentError('tag requires a repository');
      const body = await x.json<Record<string, unknown>>();
      const id = await b.commit({
        container, reference: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
        comment: x.query.get('comment') || undefined, author: x.query.get('author') || undefined,
        pause: x.bool('pause', true), changes: x.query.getAll('changes').filter((c) => c !== ''),
        config: body && Object.keys(body).length ? body : undefined,
      });
      x.sendJson(201, { Id: id });
    } },
    { method: 'POST', path: '/build/prune', handler: async (x) => {
      x.sendJson(200, await b.prune(x.bool('all'), parseFilters(x.query.get('filters') ?? undefined)));
    } },
  ];
}
