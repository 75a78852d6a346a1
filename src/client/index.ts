// client: the typed Docker Engine API client (layer C1). EngineClient talks HTTP to berthd
// (or any Docker-compatible daemon) over a unix socket or plain TCP: one file per endpoint
// group (system, containers, images, exec, networks), hijacked streams for attach/exec (hijack.ts),
// the multiplexed stdout/stderr framing (stdcopy.ts), and the daemon's error answers mapped
// back to lib's error kinds (errors.ts). Vocabulary: host (daemon address), hijack,
// multiplexed stream, filters (the JSON query parameter).
export * from './engine-client.ts';
export * from './errors.ts';
export * from './filters.ts';
export * from './host.ts';
export { resolveTls, type TlsFlags, type TlsSettings } from './tls.ts';
export * from './json-stream.ts';
export * from './stdcopy.ts';
export type { SystemApi, PingResult, SystemInfo, EventsOptions, ExactEvent } from './system.ts';
export type {
  ContainersApi, ListOptions, StopOptions, RemoveOptions, WaitCondition, LogsOptions, AttachOptions, WithRaw, StatsOptions,
} from './containers.ts';
export type { ImagesApi, ImportOptions, BuildQuery } from './images.ts';
export type { ExecApi, ExecStartOptions } from './exec.ts';
export type {
  NetworksApi, NetworkSummary, NetworkCreateRequest, NetworkCreateResponse, NetworkIpam, NetworkIpamConfig,
  NetworkContainer, EndpointSettings, EndpointIpamConfig, NetworksPruneReport,
} from './networks.ts';
export type { VolumesApi } from './volumes.ts';
export type { ContainerFsApi } from './container-fs.ts';
export type { HijackedConnection } from './hijack.ts';
