// /images/* routes. Pulling from registries arrives with the distribution work; until
// then fromImage answers 501 with a message saying so, and `import` is the way in.
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotImplementedError } from '../../../lib/index.ts';
import type { ImageDeleteItem, ImageInspect, ImageSummary } from '../../types/index.ts';
import type { Route } from '../router.ts';

export interface ImageBackend {
  importTar(input: Readable, o: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: { os?: string; architecture?: string } }): Promise<{ id: string }>;
  list(all: boolean, filters: Record<string, string[]>): ImageSummary[];
  inspect(ref: string): ImageInspect;
  history(ref: string): unknown[];
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(ref: string, force: boolean, noprune: boolean): Promise<ImageDeleteItem[]>;
}

export function imageRoutes(b: ImageBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'POST', path: '/images/create', handler: async (x) => {
      const fromSrc = x.query.get('fromSrc');
      const fromImage = x.query.get('fromImage');
      if (fromImage) {
        throw new NotImplementedError(`pulling images is not supported yet: berth cannot pull ${fromImage}${x.query.get('tag') ? ':' + x.query.get('tag') : ''}; import a root filesystem with 'docker import' instead`);
      }
      if (fromSrc !== '-') {
        if (fromSrc) throw new NotImplementedError('importing from a URL is not supported yet; send the tarball as the request body (fromSrc=-)');
        throw new InvalidArgumentError('fromImage or fromSrc is required');
      }
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

