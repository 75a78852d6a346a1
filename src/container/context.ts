// What the container operations need, passed in by daemon/wire.ts. Each op file takes this
// context; nothing here is global. ImageReader is declared here, by its consumer, so the
// container module does not depend on the image module (STYLE.md §7.2).
import type { Logger } from '../lib/index.ts';
import type { ImageConfig, OciSeccomp } from '../oci/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { ConmonLauncher, OciRuntime, ExitWatcher } from '../runtime/index.ts';
import type { EventBus } from '../events/index.ts';
import type { HostFacts } from '../specgen/index.ts';
import type { NetworkService } from '../network/index.ts';
import type { ContainerStore } from './store.ts';
import type { Container } from './record.ts';
import type { AttachHub } from './attach-hub.ts';
import type { VolumeProvider } from './volume-provider.ts';
import type { LogConfig, LogShipping } from '../logdriver/index.ts';

export interface ImageReader {
  resolve(ref: string): { id: string; config: ImageConfig; topChainId: string | null };
}

export interface ContainerOptions {
  /** Parent of every container cgroup, e.g. "/berth". */
  cgroupParent: string;
  /** Host path of the init binary for --init (tini or catatonit), or null when absent. */
  initPath: string | null;
  defaultRuntime: string;
  /** Default StopTimeout in seconds. */
  stopTimeout: number;
  /** Daemon-wide no-new-privileges default (dockerd --no-new-privileges). */
  noNewPrivileges?: boolean;
  /** --userns-remap: host uid/gid (and range sizes) of container root; null/absent when off. */
  remap?: { uid: number; gid: number; uidSize: number; gidSize: number } | null;
  /** The daemon's default log driver and options (daemon.json log-driver, log-opts). */
  defaultLogConfig?: LogConfig;
}

export type ExitListener = (c: Container) => void;

export interface ContainerContext {
  store: ContainerStore;
  images: ImageReader;
  layers: LayerStore;
  volumes: VolumeProvider;
  runtimes: ReadonlyMap<string, OciRuntime>;
  conmon: ConmonLauncher;
  exits: ExitWatcher;
  events: EventBus;
  network: NetworkService;
  host: HostFacts;
  log: Logger;
  options: ContainerOptions;
  /** Precompiled seccomp filters for crun (saves compiling the profile on every start). */
  seccompBpf: { annotationFor(seccomp: OciSeccomp): Record<string, string> };
  /** Called after every exit is recorded (wait, attach, restart manager listen here). */
  exitListeners: Map<string, Set<ExitListener>>;
  removeListeners: Map<string, Set<() => void>>;
  /** Attach clients waiting for a created container to start (connected between create and start). */
  pendingAttach: Map<string, Set<(id: string) => Promise<void>>>;
  /** Each running container's shared attach connection (attach-hub.ts). */
  hubs: Map<string, Promise<AttachHub>>;
  /**
   * `runtime delete` of exited containers, run in the background so the exit is reported
   * without waiting for it; start and remove of the same container await it first.
   */
  runtimeCleanup: Map<string, Promise<void>>;
  /** Called after a process started and after its exit was recorded (health checks hook in here). */
  hooks: { afterStart(c: Container): void; afterExit(c: Container): void };
  /** Ships each container's output to its log driver (logdriver module). */
  logShipping: LogShipping;
  /** Per-container serialisation of state changes. */
  lock: <T>(id: string, fn: () => Promise<T>) => Promise<T>;
}

export function runtimeFor(ctx: ContainerContext, name: string): OciRuntime {
  const r = ctx.runtimes.get(name || ctx.options.defaultRuntime) ?? ctx.runtimes.get(ctx.options.defaultRuntime);
  if (!r) throw new Error(`no runtime configured`);
  return r;
}

/**
 * Where a container's /etc/hostname, /etc/hosts and /etc/resolv.conf live: per-boot files
 * (rewritten at every start), so in its runtime bundle dir on the exec root's tmpfs, as podman
 * keeps them under its run root (on a disk filesystem the three creates per start cost CPU).
 * Under --userns-remap they stay in the container's dir, whose permissions are set up for
 * the remapped root.
 */
export function etcDirOf(ctx: ContainerContext, id: string): string {
  return ctx.options.remap ? ctx.store.dir(id) : ctx.conmon.bundleDir(id);
}

/** Whether etcDirOf is on the exec root's tmpfs (its files are best made in place). */
export function etcDirOnTmpfs(ctx: ContainerContext): boolean {
  return !ctx.options.remap && ctx.conmon.execRootOnTmpfs;
}

export function addListener<T>(map: Map<string, Set<T>>, id: string, fn: T): () => void {
  let set = map.get(id);
  if (!set) { set = new Set(); map.set(id, set); }
  set.add(fn);
  return () => { set!.delete(fn); if (set!.size === 0) map.delete(id); };
}

export function emitContainerEvent(ctx: ContainerContext, c: Container, action: string, extra: Record<string, string> = {}): void {
  const attrs: Record<string, string> = {
    ...(c.config.config.Labels ?? {}),
    image: c.config.imageRef,
    name: c.state.name,
    ...extra,
  };
  ctx.events.publish('container', action, c.config.id, attrs);
}
