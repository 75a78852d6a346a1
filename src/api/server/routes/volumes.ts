// /volumes/* routes (Docker Engine API "Volume" section). The backend is declared here, by its
// consumer; daemon/wire.ts passes the volume service.
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../../types/index.ts';
import type { Route } from '../router.ts';
import { compareVersions } from '../router.ts';

export interface VolumeBackend {
  create(req: VolumeCreateRequest): Promise<Volume>;
  list(filters: Record<string, string[]>): VolumeListResponse;
  inspect(name: string): Volume;
  remove(name: string, force: boolean): Promise<void>;
  prune(filters: Record<string, string[]>): Promise<VolumePruneResponse>;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** The create body, checked field by field so bad JSON types are a 400, not a crash. */
function createRequest(body: unknown): VolumeCreateRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('invalid JSON: volume create options must be an object');
  const b = body as Record<string, unknown>;
  const out: VolumeCreateRequest = {};
  if (b.Name !== undefined && b.Name !== null) {
    if (typeof b.Name !== 'string') throw new InvalidArgumentError('invalid JSON: Name must be a string');
    out.Name = b.Name;
  }
  if (b.Driver !== undefined && b.Driver !== null) {
    if (typeof b.Driver !== 'string') throw new InvalidArgumentError('invalid JSON: Driver must be a string');
    out.Driver = b.Driver;
  }
  for (const k of ['DriverOpts', 'Labels'] as const) {
    const v = b[k];
    if (v === undefined || v === null) continue;
    if (!isStringMap(v)) throw new InvalidArgumentError(`invalid JSON: ${k} must be an object of strings`);
    out[k] = v;
  }
  return out;
}

export function volumeRoutes(b: VolumeBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  return [
    { method: 'GET', path: '/volumes', handler: (x) => { x.sendJson(200, b.list(parseFilters(x.query.get('filters') ?? undefined))); } },
    { method: 'POST', path: '/volumes/create', handler: async (x) => {
      x.sendJson(201, await b.create(createRequest(await x.json<unknown>())));
    } },
    { method: 'POST', path: '/volumes/prune', handler: async (x) => {
      const filters = parseFilters(x.query.get('filters') ?? undefined);
      // Before API 1.42 prune took every unused volume; anonymous-only is the 1.42+ default.
      if (x.version !== '' && compareVersions(x.version, '1.42') < 0 && !filters.all) filters.all = ['true'];
      x.sendJson(200, await b.prune(filters));
    } },
    { method: 'GET', path: '/volumes/{name}', handler: (x) => { x.sendJson(200, b.inspect(x.params.name!)); } },
    { method: 'DELETE', path: '/volumes/{name}', handler: async (x) => {
      await b.remove(x.params.name!, x.bool('force'));
      x.sendEmpty(204);
    } },
  ];
}
