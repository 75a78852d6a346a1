// /networks/* routes (Docker's shapes; the backend is the network service plus the
// container service for connect/disconnect, joined in daemon/wire.ts).
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { Route } from '../router.ts';

export interface NetworkBackend {
  list(filters: Record<string, string[]>): Record<string, unknown>[];
  inspect(ref: string): Record<string, unknown>;
  create(body: Record<string, unknown>): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: Record<string, string[]>): Promise<string[]>;
  connect(network: string, container: string, endpoint: Record<string, unknown> | null): Promise<void>;
  disconnect(network: string, container: string, force: boolean): Promise<void>;
}

export function networkRoutes(b: NetworkBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'GET', path: '/networks', handler: (x) => { x.sendJson(200, b.list(parseFilters(x.query.get('filters') ?? undefined))); } },
    { method: 'POST', path: '/networks/create', handler: async (x) => {
      const body = await x.json<Record<string, unknown>>();
      if (body === null || typeof body !== 'object') throw new InvalidArgumentError('network create: a JSON body is required');
      x.sendJson(201, await b.create(body));
    } },
    { method: 'POST', path: '/networks/prune', handler: async (x) => {
      x.sendJson(200, { NetworksDeleted: await b.prune(parseFilters(x.query.get('filters') ?? undefined)) });
    } },
    { method: 'GET', path: '/networks/{id}', handler: (x) => { x.sendJson(200, b.inspect(x.params.id!)); } },
    { method: 'DELETE', path: '/networks/{id}', handler: async (x) => { await b.remove(x.params.id!); x.sendEmpty(204); } },
    { method: 'POST', path: '/networks/{id}/connect', handler: async (x) => {
      const body = await x.json<{ Container?: string; EndpointConfig?: Record<string, unknown> | null }>();
      if (!body?.Container) throw new InvalidArgumentError('no container specified');
      await b.connect(x.params.id!, body.Container, body.EndpointConfig ?? null);
      x.sendEmpty(200);
    } },
    { method: 'POST', path: '/networks/{id}/disconnect', handler: async (x) => {
      const body = await x.json<{ Container?: string; Force?: boolean }>();
      if (!body?.Container) throw new InvalidArgumentError('no container specified');
      await b.disconnect(x.params.id!, body.Container, body.Force === true);
      x.sendEmpty(200);
    } },
  ];
}
