// The container filesystem endpoints' wire types: /containers/{id}/archive (the
// X-Docker-Container-Path-Stat header, base64 JSON with these lower-case keys) and
// /containers/{id}/changes (Kind 0 = modified, 1 = added, 2 = deleted).

/** container.PathStat: mode is Go's os.FileMode (type bits high, permissions low), mtime RFC 3339. */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ContainerChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';
