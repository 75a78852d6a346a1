// The container filesystem endpoints: the archive API cp uses (HEAD/GET/PUT
// /containers/{id}/archive), export and changes.
import type { Readable } from 'node:stream';
import { PATH_STAT_HEADER, type ContainerChange, type ContainerPathStat } from '../api/types/index.ts';
import { InternalError } from '../lib/index.ts';
import type { Transport } from './transport.ts';

export interface ContainerFsApi {
  /** HEAD archive: the path's stat (lstat: a symlink is reported as such, with its target). */
  statPath(id: string, path: string): Promise<ContainerPathStat>;
  /** GET archive: a tar of the path, its entries under the path's base name. */
  getArchive(id: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }>;
  /** PUT archive: `tar` extracted into the directory `path`. */
  putArchive(id: string, path: string, tar: Readable, o?: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean }): Promise<void>;
  export(id: string): Promise<Readable>;
  changes(id: string): Promise<ContainerChange[] | null>;
}

const enc = encodeURIComponent;

export function decodePathStat(header: string | string[] | undefined): ContainerPathStat {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) throw new InternalError(`missing ${PATH_STAT_HEADER} header`);
  try {
    return JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as ContainerPathStat;
  } catch (err) {
    throw new InternalError(`invalid ${PATH_STAT_HEADER} header`, { cause: err });
  }
}

export class ContainerFsClient implements ContainerFsApi {
  constructor(readonly t: Transport) {}

  async statPath(id: string, path: string): Promise<ContainerPathStat> {
    const res = await this.t.request({ method: 'HEAD', path: `/containers/${enc(id)}/archive`, query: { path } });
    res.body.resume();
    return decodePathStat(res.headers[PATH_STAT_HEADER.toLowerCase()]);
  }

  async getArchive(id: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
    const res = await this.t.request({ method: 'GET', path: `/containers/${enc(id)}/archive`, query: { path } });
    return { stat: decodePathStat(res.headers[PATH_STAT_HEADER.toLowerCase()]), tar: res.body };
  }

  async putArchive(id: string, path: string, tar: Readable, o: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    await this.t.discard({
      method: 'PUT', path: `/containers/${enc(id)}/archive`, rawBody: tar, contentType: 'application/x-tar',
      query: { path, noOverwriteDirNonDir: o.noOverwriteDirNonDir ? true : undefined, copyUIDGID: o.copyUIDGID ? true : undefined },
    });
  }

  async export(id: string): Promise<Readable> {
    return (await this.t.request({ method: 'GET', path: `/containers/${enc(id)}/export` })).body;
  }

  changes(id: string): Promise<ContainerChange[] | null> {
    return this.t.json({ method: 'GET', path: `/containers/${enc(id)}/changes` });
  }
}
