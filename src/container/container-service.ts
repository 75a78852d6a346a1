// ContainerService: the container operations behind /containers/* and /exec/*. It builds the
// shared context once and delegates each operation to its file under ops/; it holds no
// state of its own beyond that context (no god object: see STYLE.md §2 on moby's Daemon).
import { existsSync } from 'node:fs';
import { KeyedMutex, NotImplementedError, type Logger } from '../lib/index.ts';
import type {
  ContainerCreateRequest, ContainerInspect, ContainerStatsResponse, ContainerSummary, ContainerUpdateResponse, ExecCreateRequest, ExecInspect, TopResponse,
  UpdateConfig,
} from '../api/types/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { ConmonLauncher, OciRuntime } from '../runtime/index.ts';
import { ExitWatcher, resizeMessage, writeControl } from '../runtime/index.ts';
import type { EventBus } from '../events/index.ts';
import type { HostFacts } from '../specgen/index.ts';
import { readJsonLogs, readLogs, type LogReadOptions } from '../logs/index.ts';
import { LogShipping, canRead, logFilePath } from '../logdriver/index.ts';
import { logConfigOf, shipSpec } from './log-shipping.ts';
import { join } from 'node:path';
import { emitContainerEvent, type ContainerContext, type ContainerOptions, type ImageReader } from './context.ts';
import { ContainerStore } from './store.ts';
import { createContainer } from './ops/create.ts';
import { startContainer } from './ops/start.ts';
import { handleExit, cancelAllRestarts } from './ops/exit.ts';
import { killContainer, pauseContainer, renameContainer, restartContainer, stopContainer, unpauseContainer, type StopOptions } from './ops/lifecycle.ts';
import { removeContainer, type RemoveOptions } from './ops/remove.ts';
import { updateContainer } from './ops/update.ts';
import { containerStats, type StatsOptions } from './ops/stats.ts';
import { metricsSnapshot, type ContainerMetrics } from './ops/metrics-snapshot.ts';
import { pruneContainers } from './ops/prune.ts';
import { StatsCollector } from '../stats/index.ts';
import { waitContainer, type WaitCondition } from './ops/wait.ts';
import { inspectView, listContainers, topContainer, type ListOptions } from './ops/views.ts';
import { attachContainer, type AttachOptions, type AttachSession } from './attach.ts';
import { ExecManager, type ExecSession } from './exec.ts';
import { HealthMonitor } from './health.ts';
import { reconcileContainers, restoreNetworks } from './reconcile.ts';
import { connectContainer, disconnectContainer, networksOf } from './networking.ts';
import type { EndpointRequest } from '../network/index.ts';
import { NotRunningError } from './errors.ts';
import type { VolumeProvider } from './volume-provider.ts';
import { restoreVolumeRefs, unmountVolumes } from './mounts.ts';
import type { Readable } from 'node:stream';
import type { ContainerChange, ContainerPathStat } from '../api/types/index.ts';
import { archivePath, containerChanges, exportContainer, extractToDir, statPath, type ArchiveStream, type ExtractRequest } from './ops/archive.ts';

export interface ContainerServiceDeps {
  dataRoot: string;
  images: ImageReader;
  layers: LayerStore;
  volumes: VolumeProvider;
  runtimes: ReadonlyMap<string, OciRuntime>;
  conmon: ConmonLauncher;
  events: EventBus;
  network: ContainerContext['network'];
  host: HostFacts;
  log: Logger;
  options: ContainerOptions;
  seccompBpf: ContainerContext['seccompBpf'];
  /** Reads containers' accounting for /containers/{id}/stats (default: one for the host's cgroup version). */
  stats?: StatsCollector;
}

export class ContainerService {
  readonly #ctx: ContainerContext;
  readonly #execs: ExecManager;
  readonly #health: HealthMonitor;
  readonly #stats: StatsCollector;

  constructor(d: ContainerServiceDeps) {
    this.#stats = d.stats ?? new StatsCollector({ cgroupVersion: d.host.cgroupVersion });
    const mutex = new KeyedMutex();
    const store = new ContainerStore(d.dataRoot, d.log);
    this.#ctx = {
      store, images: d.images, layers: d.layers, volumes: d.volumes, runtimes: d.runtimes, conmon: d.conmon,
      exits: new ExitWatcher(d.conmon.exitDir, (id, code) => {
        void handleExit(this.#ctx, id, code).catch((err: unknown) => d.log.error({ err, container: id }, 'exit handling failed'));
      }),
      events: d.events, network: d.network, host: d.host, log: d.log, options: d.options, seccompBpf: d.seccompBpf,
      exitListeners: new Map(), removeListeners: new Map(), pendingAttach: new Map(), runtimeCleanup: new Map(), hubs: new Map(),
      hooks: {
        afterStart: (c) => this.#health.watch(c),
        afterExit: (c) => {
          this.#health.unwatch(c.config.id);
          void unmountVolumes(this.#ctx, c);
        },
      },
      lock: (id, fn) => mutex.run(id, fn),
      logShipping: new LogShipping(d.log.child({ module: 'logdriver' })),
    };
    this.#execs = new ExecManager(this.#ctx);
    this.#health = new HealthMonitor(this.#ctx, this.#execs);
  }

  /** Loads records, re-adopts running containers, finishes what a crash interrupted. */
  async init(): Promise<{ running: number; total: number }> {
    await this.#ctx.store.init();
    await this.#ctx.conmon.init();
    this.#ctx.exits.start();
    const { running, followUps } = await reconcileContainers(this.#ctx);
    for (const c of running) this.#health.watch(c);
    for (const c of running) void this.#ctx.logShipping.resume(shipSpec(this.#ctx, c));
    await restoreNetworks(this.#ctx, running);
    const runningIds = new Set(running.map((c) => c.config.id));
    for (const c of this.#ctx.store.all()) restoreVolumeRefs(this.#ctx, c, runningIds.has(c.config.id));
    await this.#ctx.volumes.unmountIdle();
    await this.#unmountStale(new Set(running.map((c) => c.config.id)));
    await this.#removeOrphanLayers();
    await this.#ctx.exits.scan();
    for (const f of followUps) void f().catch((err: unknown) => this.#ctx.log.warn({ err }, 'reconcile follow-up failed'));
    return { running: running.length, total: this.#ctx.store.all().length };
  }

  /** Unmounts rootfs mounts of containers that are not running (the driver read mountinfo once). */
  async #unmountStale(running: Set<string>): Promise<void> {
    for (const id of this.#ctx.layers.driver.mountedIds()) {
      if (!running.has(id)) await this.#ctx.layers.unmountRW(id).catch(() => undefined);
    }
  }

  /** Layer dirs with neither a layer record nor a container (a crash during rm, rmi or a pull). */
  async #removeOrphanLayers(): Promise<void> {
    await this.#ctx.layers.removeOrphans((id) => this.#ctx.store.has(id)).catch((err: unknown) => this.#ctx.log.warn({ err }, 'removing orphan layer directories failed'));
  }

  /** Options a configuration reload (SIGHUP) may change; they apply to the next operations. */
  reloadOptions(o: Partial<Pick<ContainerContext['options'], 'stopTimeout' | 'noNewPrivileges'>>): void {
    Object.assign(this.#ctx.options, o);
  }

  /** Stops watching; containers keep running (live-restore). */
  shutdown(): void {
    this.#health.stopAll();
    cancelAllRestarts(this.#ctx);
    this.#ctx.exits.stop();
    void this.#ctx.logShipping.closeAll();
  }

  create(req: ContainerCreateRequest, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
    return createContainer(this.#ctx, req, name);
  }
  start(ref: string): Promise<void> { return startContainer(this.#ctx, ref); }
  connectNetwork(network: string, ref: string, ep: EndpointRequest | null): Promise<void> { return connectContainer(this.#ctx, network, ref, ep); }
  disconnectNetwork(network: string, ref: string, force: boolean): Promise<void> { return disconnectContainer(this.#ctx, network, ref, force); }
  /** true when any container (running or not) is configured for the network. */
  networkInUse(name: string): boolean { return this.#ctx.store.all().some((c) => name in networksOf(c)); }
  stop(ref: string, o: StopOptions): Promise<boolean> { return stopContainer(this.#ctx, ref, o); }
  kill(ref: string, signal: string | undefined): Promise<void> { return killContainer(this.#ctx, ref, signal); }
  restart(ref: string, o: StopOptions): Promise<void> { return restartContainer(this.#ctx, ref, o); }
  pause(ref: string): Promise<void> { return pauseContainer(this.#ctx, ref); }
  unpause(ref: string): Promise<void> { return unpauseContainer(this.#ctx, ref); }
  rename(ref: string, name: string): Promise<void> { return renameContainer(this.#ctx, ref, name); }
  /** Docker's stats JSON: one reading, or one a second until `signal` aborts or the container is removed. */
  stats(ref: string, o: StatsOptions, signal: AbortSignal): AsyncIterable<ContainerStatsResponse> {
    this.#ctx.store.get(ref); // 404 before the stream starts
    return containerStats(this.#ctx, this.#stats, ref, o, signal);
  }
  /** POST /containers/prune. */
  prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> { return pruneContainers(this.#ctx, filters); }
  /** Per-container figures for /metrics (a sample of each running container). */
  metrics(): Promise<ContainerMetrics[]> { return metricsSnapshot(this.#ctx, this.#stats); }
  update(ref: string, u: UpdateConfig): Promise<ContainerUpdateResponse> { return updateContainer(this.#ctx, this.#stats, ref, u); }
  async remove(ref: string, o: RemoveOptions): Promise<void> {
    const id = this.#ctx.store.get(ref).config.id;
    await removeContainer(this.#ctx, ref, o);
    this.#execs.dropContainer(id);
    this.#health.unwatch(id);
    this.#stats.forget(id);
  }
  wait(ref: string, condition: WaitCondition, signal: AbortSignal): Promise<number> {
    return waitContainer(this.#ctx, ref, condition, signal);
  }
  inspect(ref: string): ContainerInspect {
    const c = this.#ctx.store.get(ref);
    const view = inspectView(this.#ctx, c);
    view.ExecIDs = this.#execs.idsOf(c.config.id);
    return view;
  }
  list(o: ListOptions): Promise<ContainerSummary[]> { return listContainers(this.#ctx, o); }
  top(ref: string, psArgs: string): Promise<TopResponse> { return topContainer(this.#ctx, this.#ctx.store.get(ref), psArgs); }
  attach(ref: string, o: AttachOptions): Promise<AttachSession> { return attachContainer(this.#ctx, ref, o); }

  /** The log stream of a container, already encoded for the wire. */
  logs(ref: string, o: Omit<LogReadOptions, 'multiplex' | 'isRunning'>, signal: AbortSignal): { tty: boolean; chunks: AsyncIterable<Buffer> } {
    const c = this.#ctx.store.get(ref);
    const tty = c.config.config.Tty ?? false;
    const lc = logConfigOf(c);
    if (!canRead(lc.Type)) throw new NotImplementedError('configured logging driver does not support reading');
    const dir = this.#ctx.store.dir(c.config.id);
    let path = logFilePath(dir, c.config.id, lc.Type);
    // A container that last ran before berth had log drivers has only conmon's file.
    const legacy = lc.Type === 'json-file' && !existsSync(path) && existsSync(join(dir, 'ctr.log')) && !existsSync(join(dir, 'logship.json'));
    if (legacy) path = join(dir, 'ctr.log');
    // Followers keep reading until conmon is gone too (runtimeCleanup holds its exit): it may
    // log the last output after it wrote the exit code.
    const isRunning = (): boolean => this.#ctx.store.has(c.config.id)
      && (['running', 'paused', 'restarting'].includes(c.state.status) || this.#ctx.runtimeCleanup.has(c.config.id));
    const read = lc.Type === 'k8s-file' || legacy ? readLogs : readJsonLogs;
    return { tty, chunks: read(path, { ...o, multiplex: !tty, isRunning }, signal) };
  }

  async resize(ref: string, h: number, w: number): Promise<void> {
    const c = this.#ctx.store.get(ref);
    if (c.state.status !== 'running') throw new NotRunningError(c.config.id);
    if (!c.config.config.Tty) return;
    await writeControl(this.#ctx.conmon.ctlPath(c.config.id), resizeMessage(h, w));
    emitContainerEvent(this.#ctx, c, 'resize', { height: String(h), width: String(w) });
  }

  /** The container filesystem (ops/archive.ts): cp's archive API, export and diff. */
  statPath(ref: string, path: string): Promise<ContainerPathStat> { return statPath(this.#ctx, ref, path); }
  archivePath(ref: string, path: string): Promise<ArchiveStream> { return archivePath(this.#ctx, ref, path); }
  extractToDir(ref: string, req: ExtractRequest, body: Readable): Promise<void> { return extractToDir(this.#ctx, ref, req, body); }
  exportFs(ref: string): Promise<{ tar: Readable; cancel(): void }> { return exportContainer(this.#ctx, ref); }
  changes(ref: string): Promise<ContainerChange[] | null> { return containerChanges(this.#ctx, ref); }

  execCreate(ref: string, req: ExecCreateRequest): string { return this.#execs.create(ref, req); }
  execStart(id: string, tty: boolean | undefined): Promise<ExecSession> { return this.#execs.start(id, tty); }
  execInspect(id: string): ExecInspect { return this.#execs.inspect(id); }
  execResize(id: string, h: number, w: number): Promise<void> { return this.#execs.resize(id, h, w); }
  /** Validates an exec id exists (before the HTTP upgrade). */
  execExists(id: string): void { this.#execs.get(id); }

  /** For the image service: which containers use an image, which layers they sit on. */
  containersUsing(imageId: string): string[] {
    return this.#ctx.store.all().filter((c) => c.config.imageId === imageId).map((c) => c.config.id);
  }
  layersInUse(): string[] {
    return this.#ctx.store.all().map((c) => c.config.imageTopLayer).filter((x): x is string => x !== null);
  }
  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.#ctx.store.all();
    const running = all.filter((c) => c.state.status === 'running').length;
    const paused = all.filter((c) => c.state.status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }
}
