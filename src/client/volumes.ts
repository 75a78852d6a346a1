// Volume endpoints: create, list, inspect, remove, prune; and GET /system/df, whose volume
// part (sizes, reference counts) is the volume service's.
import type { DiskUsage, Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../api/types/index.ts';
import { encodeFilters, type Filters } from './filters.ts';
import type { WithRaw } from './containers.ts';
import type { Transport } from './transport.ts';

export interface VolumesApi {
  create(req: VolumeCreateRequest): Promise<Volume>;
  list(opts?: { filters?: Filters }): Promise<VolumeListResponse>;
  inspect(name: string): Promise<WithRaw<Volume>>;
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  prune(opts?: { filters?: Filters }): Promise<VolumePruneResponse>;
  /** GET /system/df; `types` limits it (container, image, volume, build-cache). */
  diskUsage(types?: readonly string[]): Promise<DiskUsage>;
}

const enc = encodeURIComponent;

export class VolumesClient implements VolumesApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  create(req: VolumeCreateRequest): Promise<Volume> {
    return this.#t.json({ method: 'POST', path: '/volumes/create', body: req });
  }

  list(opts: { filters?: Filters } = {}): Promise<VolumeListResponse> {
    return this.#t.json({ method: 'GET', path: '/volumes', query: { filters: encodeFilters(opts.filters) } });
  }

  async inspect(name: string): Promise<WithRaw<Volume>> {
    const raw = await this.#t.text({ method: 'GET', path: `/volumes/${enc(name)}` });
    return { value: JSON.parse(raw) as Volume, raw };
  }

  remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.#t.discard({ method: 'DELETE', path: `/volumes/${enc(name)}`, query: { force: opts.force ? true : undefined } });
  }

  prune(opts: { filters?: Filters } = {}): Promise<VolumePruneResponse> {
    return this.#t.json({ method: 'POST', path: '/volumes/prune', query: { filters: encodeFilters(opts.filters) } });
  }

  diskUsage(types: readonly string[] = []): Promise<DiskUsage> {
    return this.#t.json({ method: 'GET', path: '/system/df', query: { type: types.length > 0 ? types : undefined } });
  }
}
