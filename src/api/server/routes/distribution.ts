// Registry-facing routes that are not image operations: POST /auth (docker login checks
// credentials against the registry) and GET /distribution/{name}/json (a reference's
// manifest descriptor and platforms, as `docker buildx imagetools`/`docker manifest` read).
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { Route } from '../router.ts';

export interface DistributionBackend {
  login(body: { username?: string; password?: string; serveraddress?: string; identitytoken?: string }): Promise<{ Status: string; IdentityToken?: string }>;
  inspectDistribution(name: string, registryAuth: string | undefined): Promise<unknown>;
}

export function distributionRoutes(b: DistributionBackend): Route[] {
  return [
    { method: 'POST', path: '/auth', handler: async (x) => {
      const body = await x.json<{ username?: string; password?: string; serveraddress?: string; identitytoken?: string }>();
      if (typeof body !== 'object' || body === null) throw new InvalidArgumentError('invalid auth configuration');
      x.sendJson(200, await b.login(body));
    } },
    { method: 'GET', path: '/distribution/{name:.*}/json', handler: async (x) => {
      const auth = x.req.headers['x-registry-auth'];
      x.sendJson(200, await b.inspectDistribution(x.params.name!, Array.isArray(auth) ? auth[0] : auth));
    } },
  ];
}
