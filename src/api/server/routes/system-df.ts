// GET /system/df: disk usage of images, containers, volumes and build cache (moby
// daemon/disk_usage.go). `type` (API 1.42+, repeatable) limits the answer to some of them;
// without it everything is computed. Images get the number of containers using each.
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { ContainerSummary, DiskUsage, ImageSummary, Volume } from '../../types/index.ts';
import type { Route } from '../router.ts';

export interface DiskUsageBackend {
  /** Bytes of every image layer, each counted once. */
  layersSize(): number;
  images(): ImageSummary[];
  /** Every container, with SizeRw and SizeRootFs. */
  containers(): Promise<ContainerSummary[]>;
  /** Every volume, with UsageData. */
  volumes(): Promise<Volume[]>;
  /** The builder's cache records (moby types.BuildCache); none when absent. */
  buildCache?(): unknown[] | Promise<unknown[]>;
}

const TYPES = new Set(['container', 'image', 'volume', 'build-cache']);

export function systemDfRoutes(b: DiskUsageBackend): Route[] {
  return [
    { method: 'GET', path: '/system/df', handler: async (x) => {
      const asked = x.query.getAll('type');
      for (const t of asked) if (!TYPES.has(t)) throw new InvalidArgumentError(`invalid type: ${t}`);
      const want = (t: string): boolean => asked.length === 0 || asked.includes(t);
      const out: DiskUsage = {};
      const containers = want('container') || want('image') ? await b.containers() : [];
      if (want('image')) {
        const users = new Map<string, number>();
        for (const c of containers) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
        out.LayersSize = b.layersSize();
        out.Images = b.images().map((i) => ({ ...i, Containers: users.get(i.Id) ?? 0 }));
      }
      if (want('container')) out.Containers = containers;
      if (want('volume')) out.Volumes = await b.volumes();
      if (want('build-cache')) out.BuildCache = (await b.buildCache?.()) ?? [];
      x.sendJson(200, out);
    } },
  ];
}
