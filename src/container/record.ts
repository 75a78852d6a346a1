// The container record, split as podman does (libpod container_config.go): `config` is
// fixed at create time and written once (containers/<id>/config.json); `state` changes and
// is rewritten atomically on every transition (containers/<id>/state.json).
import type { ContainerConfig, ContainerStatus, HealthLogEntry, HealthStatus, HostConfig } from '../api/types/index.ts';
import type { EndpointRequest, SandboxState } from '../network/index.ts';
import type { MountRecord } from './mount-parse.ts';

export interface ContainerCreateConfig {
  id: string;
  /** Name without the leading slash. Mutable only through rename, kept in state.name. */
  created: string;
  imageId: string;
  /** The image reference as the user gave it (Config.Image). */
  imageRef: string;
  /** Image's top chainID (the read-write layer sits on it). */
  imageTopLayer: string | null;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Binds, volumes and --mount tmpfs resolved at create (absent in records made before volumes). */
  mounts?: MountRecord[];
}

export interface ContainerRuntimeState {
  name: string;
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  /** Set by stop/kill from the user: unless-stopped and always do not restart then. */
  stoppedByUser: boolean;
  /** Runtime that started the current process (crun/runc); needed after a daemon restart. */
  runtime: string;
  health: { status: HealthStatus; failingStreak: number; log: HealthLogEntry[] } | null;
  /** Networks the container is configured for, by name (create, network connect/disconnect). */
  networks?: Record<string, EndpointRequest>;
  /** The running container's network namespace, endpoints and published ports. */
  sandbox?: SandboxState | null;
}

export interface Container {
  config: ContainerCreateConfig;
  state: ContainerRuntimeState;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(name: string): ContainerRuntimeState {
  return {
    name, status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false,
    startedAt: ZERO_TIME, finishedAt: ZERO_TIME, restartCount: 0, stoppedByUser: false, runtime: '', health: null,
  };
}
