// container: the container manager (layer L3). A container = an immutable create-time
// config + a mutable state (record.ts), a read-write layer on its image, and while it runs,
// one conmon + OCI runtime process tree. States and transitions are Docker's: created,
// running, paused, restarting, removing, exited, dead (ops/*.ts check them and answer with
// Docker's messages). Exec sessions, attach, health checks and restart policies live here.
export { ContainerService, type ContainerServiceDeps } from './container-service.ts';
export type { ImageReader, ContainerOptions } from './context.ts';
export type { AttachSession, AttachOptions } from './attach.ts';
export type { ExecSession } from './exec.ts';
export type { WaitCondition } from './ops/wait.ts';
export type { ContainerMetrics } from './ops/metrics-snapshot.ts';
export { parseWaitCondition } from './ops/wait.ts';
export { parseFilters, type Filters } from './ops/views.ts';
