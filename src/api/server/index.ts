// api/server: the Docker Engine API over HTTP (layer L4). Vocabulary: route = method + path
// pattern + handler; exchange = one request and its answer (plain, streamed or hijacked);
// backend = the narrow interface each routes file declares and daemon/wire.ts fills.
// It imports no domain module: it sees only api/types and its own backend interfaces.
export { ApiServer, type ApiServerOptions, type ApiTlsOptions } from './server.ts';
export type { Route, Handler } from './router.ts';
export { containerRoutes, type ContainerBackend, type LogQuery } from './routes/containers.ts';
export { execRoutes, type ExecBackend } from './routes/exec.ts';
export { containerResourcesRoutes, type ContainerResourcesBackend } from './routes/container-resources.ts';
export { imageRoutes, type ImageBackend } from './routes/images.ts';
export { imageArchiveRoutes, type ImageArchiveBackend } from './routes/image-archive.ts';
export { systemRoutes, type SystemBackend } from './routes/system.ts';
export { networkRoutes, type NetworkBackend } from './routes/networks.ts';
export { pruneRoutes, type PruneBackend } from './routes/prune.ts';
export { volumeRoutes, type VolumeBackend } from './routes/volumes.ts';
export { systemDfRoutes, type DiskUsageBackend } from './routes/system-df.ts';
export { buildRoutes, type BuildRouteBackend, type BuildRequest, type CommitRequest } from './routes/build.ts';
export { distributionRoutes, type DistributionBackend } from './routes/distribution.ts';
export { containerFsRoutes, type ContainerFsBackend } from './routes/container-fs.ts';
export type { StreamSession } from './hijack.ts';
