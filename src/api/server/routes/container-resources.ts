// /containers/{id}/stats and /containers/{id}/update: resource accounting and live limits.
// The backend is declared here, by its consumer; daemon/wire.ts passes the container service.
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { ContainerStatsResponse, ContainerUpdateResponse, UpdateConfig } from '../../types/index.ts';
import type { Route } from '../router.ts';

export interface ContainerResourcesBackend {
  stats(ref: string, o: { stream: boolean; oneShot: boolean }, signal: AbortSignal): AsyncIterable<ContainerStatsResponse>;
  update(ref: string, u: UpdateConfig): Promise<ContainerUpdateResponse>;
}

export interface ContainerResourcesOptions {
  /** How long a stats stream waits for a client that stopped reading before dropping it. */
  slowClientMs?: number;
}

export function containerResourcesRoutes(b: ContainerResourcesBackend, o: ContainerResourcesOptions = {}): Route[] {
  const slowClientMs = o.slowClientMs ?? 10_000;
  return [
    { method: 'GET', path: '/containers/{id}/stats', handler: async (x) => {
      const stream = x.bool('stream', true);
      const oneShot = x.bool('one-shot');
      if (oneShot && stream) throw new InvalidArgumentError('cannot have stream=true and one-shot=true');
      const frames = b.stats(x.params.id!, { stream, oneShot }, x.signal);
      const iter = frames[Symbol.asyncIterator]();
      const first = await iter.next(); // errors (no such container) before any header
      const out = x.stream('application/json');
      try {
        for (let r = first; !r.done; r = await iter.next()) {
          if (out.write(JSON.stringify(r.value) + '\n')) continue;
          // A client that does not read is dropped once the socket buffer is full for too long.
          const drained = await Promise.race([out.drained().then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), slowClientMs).unref())]);
          if (!drained) { out.destroy(); return; }
          if (x.signal.aborted) break;
        }
      } finally {
        await iter.return?.(undefined);
      }
      out.end();
    } },
    { method: 'POST', path: '/containers/{id}/update', handler: async (x) => {
      const body = await x.json<UpdateConfig>();
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('invalid update config');
      x.sendJson(200, await b.update(x.params.id!, body));
    } },
  ];
}
