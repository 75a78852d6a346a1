// The container filesystem routes (Docker Engine API: ContainerArchive, ContainerArchiveInfo,
// PutContainerArchive, ContainerExport, ContainerChanges). The backend is declared here, by
// its consumer; daemon/wire.ts passes the container service.
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../../lib/index.ts';
import { PATH_STAT_HEADER, type ContainerChange, type ContainerPathStat } from '../../types/index.ts';
import type { Exchange } from '../exchange.ts';
import type { Route } from '../router.ts';

export interface ContainerFsBackend {
  statPath(ref: string, path: string): Promise<ContainerPathStat>;
  archivePath(ref: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable; cancel(): void }>;
  extractToDir(ref: string, req: { path: string; noOverwriteDirNonDir: boolean; copyUIDGID: boolean }, body: Readable): Promise<void>;
  exportFs(ref: string): Promise<{ tar: Readable; cancel(): void }>;
  changes(ref: string): Promise<ContainerChange[] | null>;
}

/** moby httputils.ArchiveFormValues. */
function pathParam(x: Exchange): string {
  const p = x.query.get('path');
  if (p === null || p === '') throw new InvalidArgumentError('bad parameter: path cannot be empty');
  return p;
}

function statHeader(s: ContainerPathStat): Record<string, string> {
  const json = JSON.stringify({ name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget });
  return { [PATH_STAT_HEADER]: Buffer.from(json).toString('base64') };
}

async function streamTar(x: Exchange, src: { tar: Readable; cancel(): void }, headers: Record<string, string> = {}): Promise<void> {
  const out = x.stream('application/x-tar', headers);
  const onAbort = (): void => src.cancel();
  x.signal.addEventListener('abort', onAbort);
  try {
    for await (const chunk of src.tar as AsyncIterable<Buffer>) {
      if (!out.write(chunk)) await out.drained();
      if (x.signal.aborted) break;
    }
  } catch { /* the tar ended early: the client sees a short archive, as with Docker */ } finally {
    x.signal.removeEventListener('abort', onAbort);
    if (x.signal.aborted) src.cancel();
    out.end();
  }
}

export function containerFsRoutes(b: ContainerFsBackend): Route[] {
  return [
    // HEAD first: the router would otherwise answer HEAD with the GET route.
    { method: 'HEAD', path: '/containers/{id}/archive', handler: async (x) => {
      const stat = await b.statPath(x.params.id!, pathParam(x));
      x.send(200, null, 'application/json', statHeader(stat));
    } },
    { method: 'GET', path: '/containers/{id}/archive', handler: async (x) => {
      const a = await b.archivePath(x.params.id!, pathParam(x));
      await streamTar(x, a, statHeader(a.stat));
    } },
    { method: 'PUT', path: '/containers/{id}/archive', handler: async (x) => {
      await b.extractToDir(x.params.id!, {
        path: pathParam(x), noOverwriteDirNonDir: x.bool('noOverwriteDirNonDir'), copyUIDGID: x.bool('copyUIDGID'),
      }, x.req);
      x.sendEmpty(200);
    } },
    { method: 'GET', path: '/containers/{id}/export', handler: async (x) => {
      await streamTar(x, await b.exportFs(x.params.id!));
    } },
    { method: 'GET', path: '/containers/{id}/changes', handler: async (x) => {
      x.sendJson(200, await b.changes(x.params.id!));
    } },
  ];
}
