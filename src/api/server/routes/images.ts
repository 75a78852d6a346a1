// /images/* routes. Pulling from registries arrives with the distribution work; until
// then fromImage answers 501 with a message saying so, and `import` is the way in.
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotImplementedError } from '../../../lib/index.ts';
import type { ImageDeleteItem, ImageInspect, ImageSummary } from '../../types/index.ts';
import type { Route } from '../router.ts';

export interface ImageBackend {
  importTar(input: Readable, o: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: { os?: string; architecture?: string } }): Promise<{ id: string }>;
  /** fromSrc=<URL>: the daemon downloads the tarball; progress (and the id) as JSON messages. */
  importUrl?(fromSrc: string, o: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: { os?: string; architecture?: string } }, progress: (m: object) => void): Promise<unknown>;
  list(all: boolean, filters: Record<string, string[]>): ImageSummary[];
  inspect(ref: string): ImageInspect;
  history(ref: string): unknown[];
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(ref: string, force: boolean, noprune: boolean): Promise<ImageDeleteItem[]>;
  /** Pull from a registry; progress messages are Docker's JSON messages. */
  pull?(req: { fromImage: string; tag?: string; platform?: string; registryAuth?: string; signal?: AbortSignal }, progress: (m: object) => void): Promise<unknown>;
  push?(name: string, tag: string | undefined, registryAuth: string | undefined, progress: (m: object) => void): Promise<void>;
}

/**
 * Runs a pull/push whose progress is a JSON-message stream. The stream starts with the first
 * message: an error before it is a plain HTTP error (as dockerd answers a missing manifest),
 * an error after it is an {"errorDetail":…} message in the stream.
 */
export async function progressStream(x: Parameters<Route['handler']>[0], run: (progress: (m: object) => void) => Promise<unknown>): Promise<void> {
  let s: ReturnType<typeof x.stream> | null = null;
  const progress = (m: object): void => {
    if (!s) s = x.stream('application/json');
    s.write(JSON.stringify(m) + '\r\n');
  };
  try {
    await run(progress);
  } catch (err) {
    if (!s) throw err;
    const message = err instanceof Error ? err.message : String(err);
    (s as ReturnType<typeof x.stream>).write(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
  }
  if (!s) s = x.stream('application/json');
  (s as ReturnType<typeof x.stream>).end();
}

export function imageRoutes(b: ImageBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'POST', path: '/images/create', handler: async (x) => {
      const fromSrc = x.query.get('fromSrc');
      const fromImage = x.query.get('fromImage');
      if (fromImage && b.pull) {
        const pull = b.pull.bind(b);
        const auth = x.req.headers['x-registry-auth'];
        await progressStream(x, (progress) => pull({
          fromImage, tag: x.query.get('tag') || undefined, platform: x.query.get('platform') || undefined,
          registryAuth: Array.isArray(auth) ? auth[0] : auth, signal: x.signal,
        }, progress));
        return;
      }
      if (fromImage) {
        throw new NotImplementedError(`pulling images is not supported yet: berth cannot pull ${fromImage}${x.query.get('tag') ? ':' + x.query.get('tag') : ''}; import a root filesystem with 'docker import' instead`);
      }
      if (!fromSrc) throw new InvalidArgumentError('fromImage or fromSrc is required');
      if (fromSrc !== '-' && !b.importUrl) throw new NotImplementedError('importing from a URL is not supported yet; send the tarball as the request body (fromSrc=-)');
      const o: Parameters<ImageBackend['importTar']>[1] = {
        changes: x.query.getAll('changes'),
      };
      const repo = x.query.get('repo'); if (repo) o.repo = repo;
      const tag = x.query.get('tag'); if (tag) o.tag = tag;
      const message = x.query.get('message'); if (message) o.message = message;
      const platform = x.query.get('platform');
      if (platform) {
        const [os, architecture] = platform.split('/');
        o.platform = { ...(os ? { os } : {}), ...(architecture ? { architecture } : {}) };
      }
      if (fromSrc !== '-') {
        const importUrl = b.importUrl!.bind(b);
        await progressStream(x, (progress) => importUrl(fromSrc, o, progress));
        return;
      }
      // The import runs before the stream starts, so its errors are real HTTP errors.
      const rec = await b.importTar(x.req, o);
      const s = x.stream('application/json');
      s.write(JSON.stringify({ status: rec.id }) + '\r\n');
      s.end();
    } },
    { method: 'GET', path: '/images/json', handler: (x) => {
      const filters = parseFilters(x.query.get('filters') ?? undefined);
      // API < 1.41 clients send the repository as ?filter=<ref>.
      const legacy = x.query.get('filter');
      if (legacy) filters.reference = [...(filters.reference ?? []), legacy];
      x.sendJson(200, b.list(x.bool('all'), filters));
    } },
    { method: 'POST', path: '/images/{name:.*}/push', handler: async (x) => {
      if (!b.push) throw new NotImplementedError('pushing images is not supported');
      const push = b.push.bind(b);
      const auth = x.req.headers['x-registry-auth'];
      await progressStream(x, (progress) => push(x.params.name!, x.query.get('tag') || undefined, Array.isArray(auth) ? auth[0] : auth, progress));
    } },
    { method: 'GET', path: '/images/{name:.*}/json', handler: (x) => { x.sendJson(200, b.inspect(x.params.name!)); } },
    { method: 'GET', path: '/images/{name:.*}/history', handler: (x) => { x.sendJson(200, b.history(x.params.name!)); } },
    { method: 'POST', path: '/images/{name:.*}/tag', handler: async (x) => {
      const repo = x.query.get('repo');
      if (!repo) throw new InvalidArgumentError('repository name must have at least one component');
      await b.tag(x.params.name!, repo, x.query.get('tag') || undefined);
      x.sendEmpty(201);
    } },
    { method: 'DELETE', path: '/images/{name:.*}', handler: async (x) => {
      x.sendJson(200, await b.remove(x.params.name!, x.bool('force'), x.bool('noprune')));
    } },
  ];
}

