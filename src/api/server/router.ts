// Route table with Docker's URL shapes: an optional /v1.NN prefix, and parameters that may
// contain slashes where Docker allows it (image names). The version gate answers as moby's
// middleware/version.go does.
import { InvalidArgumentError, NotFoundError } from '../../lib/index.ts';
import { API_VERSION, MIN_API_VERSION } from '../types/index.ts';
import type { Exchange } from './exchange.ts';

export type Handler = (x: Exchange) => Promise<void> | void;

export interface Route {
  method: string;
  /** e.g. "/containers/{id}/json" or "/images/{name:.*}/json" */
  path: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  re: RegExp;
  names: string[];
}

function compile(r: Route): CompiledRoute {
  const names: string[] = [];
  const src = r.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(?::\\\.\*)?\}/g, (m, name: string) => {
    names.push(name);
    return m.includes(':') ? '(.+)' : '([^/]+)';
  });
  return { ...r, re: new RegExp(`^${src}$`), names };
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

export class Router {
  #routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): void {
    for (const r of routes) this.#routes.push(compile(r));
  }

  /** Finds the handler, fills x.params and x.version; throws Docker's errors. */
  resolve(x: Exchange): Handler {
    let path = x.path;
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    x.version = API_VERSION;
    if (m) {
      const v = m[1]!;
      if (compareVersions(v, MIN_API_VERSION) < 0) {
        throw new InvalidArgumentError(`client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
      if (compareVersions(v, API_VERSION) > 0) {
        throw new InvalidArgumentError(`client version ${v} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      x.version = v;
      path = m[2]!;
    }
    let pathMatched = false; // a wrong method on a known path is also a 404 in Docker's router
    for (const r of this.#routes) {
      const mm = r.re.exec(path);
      if (!mm) continue;
      pathMatched = true;
      if (r.method !== x.method && !(r.method === 'GET' && x.method === 'HEAD')) continue;
      x.params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(mm[i + 1]!)]));
      x.route = r.path;
      return r.handler;
    }
    void pathMatched;
    throw new NotFoundError('page not found');
  }
}
