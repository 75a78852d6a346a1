// docker save and docker load: GET /images/get?names=…, GET /images/{name}/get (a tar
// stream) and POST /images/load?quiet= (the archive as the body, Docker's JSON messages
// back: "Loading layer" bars unless quiet, then "Loaded image: …" lines).
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../../lib/index.ts';
import type { Route } from '../router.ts';
import { progressStream } from './images.ts';

export interface ImageArchiveBackend {
  /** Resolves every name first (errors before the stream starts), then streams the archive. */
  save(names: string[]): Promise<Readable>;
  load(input: Readable, quiet: boolean, progress: (m: object) => void, signal: AbortSignal): Promise<unknown>;
}

export function imageArchiveRoutes(b: ImageArchiveBackend): Route[] {
  const save = async (x: Parameters<Route['handler']>[0], names: string[]): Promise<void> => {
    if (names.length === 0) throw new InvalidArgumentError('no image names given: use ?names=');
    const archive = await b.save(names);
    const s = x.stream('application/x-tar');
    const onAbort = (): void => { archive.destroy(); };
    x.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of archive) {
        if (!s.write(chunk as Buffer)) await s.drained();
        if (x.signal.aborted) break;
      }
      s.end();
    } catch {
      // Past the headers an error can only cut the stream: the client sees a truncated tar.
      s.destroy();
    } finally {
      x.signal.removeEventListener('abort', onAbort);
    }
  };
  return [
    { method: 'GET', path: '/images/get', handler: (x) => save(x, x.query.getAll('names').flatMap((n) => n.split(',')).filter(Boolean)) },
    { method: 'GET', path: '/images/{name:.*}/get', handler: (x) => save(x, [x.params.name!]) },
    { method: 'POST', path: '/images/load', handler: async (x) => {
      const quiet = x.bool('quiet');
      await progressStream(x, (progress) => b.load(x.req, quiet, progress, x.signal));
    } },
  ];
}
