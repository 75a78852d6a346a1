// The composition root: builds every service with its dependencies and connects them.
// No business logic here (STYLE.md §7.7 rule 4).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../lib/index.ts';
import { EventBus } from '../events/index.ts';
import { LayerStore, type DriverName } from '../layer/index.ts';
import { ImageService, DistributionService, ArchiveService, pruneImages } from '../image/index.ts';
import { ContentStore } from '../storage/content/index.ts';
import { RegistryConfig } from '../distribution/index.ts';
import { ConmonLauncher, OciRuntime, SeccompBpfCompiler, sealedCopy } from '../runtime/index.ts';
import { ContainerService, parseFilters } from '../container/index.ts';
import { ApiServer, containerFsRoutes, distributionRoutes, pruneRoutes, buildRoutes, imageArchiveRoutes, containerResourcesRoutes, containerRoutes, execRoutes, imageRoutes, networkRoutes, systemDfRoutes, systemRoutes, volumeRoutes } from '../api/server/index.ts';
import { EmbeddedDnsRegistry, Firewall, NetShellPool, NetworkService, NetworkStore, Nft, nameserversFromResolvConf, type CreateNetworkRequest, type DnsRegistry } from '../network/index.ts';
import { VolumeService } from '../volume/index.ts';
import { Builder, BuildStore, buildCacheUsage } from '../build/index.ts';
import { buildRunner, commitRunner, imageOrStep } from './build-runner.ts';
import { readFileSync } from 'node:fs';
import { StatsCollector } from '../stats/index.ts';
import { loadEngineMetrics, type EngineMetrics } from '../metrics/index.ts';
import { AlertDispatcher } from '../alerts/index.ts';
import type { HostFacts } from '../specgen/index.ts';
import type { DaemonConfig } from './config.ts';
import type { IdRemap } from './userns-remap.ts';
import { BERTH_VERSION, systemInfo, versionInfo } from './system-info.ts';

export interface Wiring {
  api: ApiServer;
  containers: ContainerService;
  images: ImageService;
  volumes: VolumeService;
  distribution: DistributionService;
  archive: ArchiveService;
  events: EventBus;
  networks: NetworkService;
  buildStore: BuildStore;
  /** The daemon's ID (info's ID, the Actor of daemon events). */
  daemonId: string;
  /** null until enableMetrics() (only with --metrics-addr). */
  metrics: EngineMetrics | null;
  /** Loads prom-client and starts counting; main calls it when --metrics-addr is given. */
  enableMetrics(): Promise<EngineMetrics>;
}

export interface Binaries {
  conmon: string;
  runtimes: Map<string, string>;
  /** Read-only bindings of runtime binaries for conmon's exit commands, by runtime name. */
  exitPaths?: Map<string, string>;
  initPath: string | null;
}

function readResolvConf(): string {
  try { return readFileSync('/etc/resolv.conf', 'utf8'); } catch { return ''; }
}

export function wire(cfg: DaemonConfig, host: HostFacts, bins: Binaries, defaultRuntime: string, log: Logger, remap: IdRemap | null = null): Wiring {
  const events = new EventBus();
  // Container layers are mounted on the exec root's tmpfs, except under userns-remap (the
  // remapped root must be able to reach its rootfs, and the exec root is private to root).
  const layers = new LayerStore(cfg.dataRoot, log.child({ module: 'layer' }), remap, (cfg.storageDriver || 'overlay2') as DriverName,
    remap === null ? join(cfg.execRoot, 'overlay') : null);
  const images = new ImageService(cfg.dataRoot, layers, events, log.child({ module: 'image' }));
  const volumes = new VolumeService(cfg.dataRoot, events, log.child({ module: 'volume' }));
  const buildStore = new BuildStore(join(cfg.dataRoot, 'build'), log.child({ module: 'build' }));
  const content = new ContentStore(cfg.dataRoot);
  const archive = new ArchiveService(cfg.dataRoot, images.store, layers, content, events, log.child({ module: 'archive' }));
  const distribution = new DistributionService(images.store, layers, content,
    new RegistryConfig({ insecureRegistries: cfg.insecureRegistries, mirrors: cfg.registryMirrors }), events, log.child({ module: 'distribution' }));
  const conmon = new ConmonLauncher({ conmon: bins.conmon, execRoot: cfg.execRoot });
  // The embedded DNS forwards what it does not know to the host's resolvers (berthd runs in
  // the host's namespace, so loopback resolvers work too).
  const dns: DnsRegistry = new EmbeddedDnsRegistry(nameserversFromResolvConf(readResolvConf()), log.child({ module: 'dns' }));
  let networks: NetworkService | null = null;
  const firewall = new Firewall(new Nft(), cfg.firewallTable, () => networks!.firewallState(), log.child({ module: 'firewall' }));
  networks = new NetworkService(new NetworkStore(join(cfg.dataRoot, 'network')), new NetShellPool(3), firewall, events, dns,
    { bip: cfg.bip, bridgeName: cfg.bridge, addressPools: cfg.defaultAddressPools, dataRoot: cfg.dataRoot }, log.child({ module: 'network' }));
  // crun runs from a sealed in-memory copy (no self re-exec per call: sealed-binary.ts).
  const runtimes = new Map([...bins.runtimes].map(([name, path]) => [name, new OciRuntime({ name, path, launch: name === 'crun' ? sealedCopy(path) ?? undefined : undefined, exitPath: bins.exitPaths?.get(name) }, cfg.execRoot)]));
  const containers = new ContainerService({
    dataRoot: cfg.dataRoot,
    // Build step images live in the build store; containers of RUN steps start from them.
    images: { resolve: imageOrStep(images, buildStore) },
    layers, volumes, runtimes, conmon, events, host, network: networks, seccompBpf: new SeccompBpfCompiler(),
    stats: new StatsCollector({ cgroupVersion: host.cgroupVersion }),
    log: log.child({ module: 'container' }),
    options: { cgroupParent: cfg.cgroupParent, initPath: bins.initPath, defaultRuntime, stopTimeout: cfg.stopTimeout, noNewPrivileges: cfg.noNewPrivileges, remap,
      defaultLogConfig: { Type: cfg.logDriver, Config: cfg.logOpts } },
  });
  images.setUsage({
    containersUsing: (id) => containers.containersUsing(id), layersInUse: () => [...containers.layersInUse(), ...buildStore.layersInUse(), ...archive.layersInUse()],
    isRunning: (id) => { try { return containers.inspect(id).State.Running; } catch { return false; } },
  });
  const builder = new Builder({
    layers, images, store: buildStore, backend: buildRunner(containers), log: log.child({ module: 'build' }),
    pull: async (ref, o, progress) => {
      await distribution.pull({ fromImage: ref, platform: o.platform, registryAuth: o.registryAuth, signal: o.signal },
        (m) => { if (m.status) progress({ status: m.status, id: m.id, progress: m.progress, progressDetail: m.progressDetail }); });
    },
  });

  let metrics: EngineMetrics | null = null;
  events.subscribe((e) => metrics?.observeEvent(e.Type, e.Action, e.Actor.Attributes, e.Actor.ID));
  const alerts = new AlertDispatcher({ rules: cfg.alerts, log: log.child({ module: 'alerts' }), onResult: (rule, result) => metrics?.observeAlert(rule, result) });
  // A removed container releases its image's layers: those of an image deleted meanwhile go.
  events.subscribe((e) => {
    if (e.Type === 'container' && e.Action === 'destroy') void images.gcLayers().catch((err: unknown) => log.warn({ err }, 'layer gc failed'));
  });
  if (alerts.ruleCount > 0) events.subscribe((e) => alerts.onEvent(e));
  const api = new ApiServer({
    serverVersion: BERTH_VERSION, log: log.child({ module: 'api' }),
    observe: (method, route, status, seconds) => metrics?.observeRequest(method, route, status, seconds),
  });
  const startedAt = new Date();
  const id = randomUUID();
  api.addRoutes(systemRoutes({
    version: () => versionInfo(host.arch),
    info: () => systemInfo({
      config: cfg, runtime: defaultRuntime, runtimes: [...runtimes.keys()], cgroupVersion: host.cgroupVersion,
      seccomp: host.seccompProfile !== null, containers: () => containers.counts(), imageCount: () => images.store.all().length,
      startedAt, id, storage: () => layers.driverStatus(),
    }, host.arch),
    events: (since, until, onEvent) => {
      const unsubscribe = events.subscribe(onEvent);
      return { history: since === undefined ? [] : events.history(since, until), unsubscribe };
    },
  }, parseFilters));
  api.addRoutes(containerRoutes(containers, parseFilters));
  api.addRoutes(execRoutes(containers));
  api.addRoutes(containerResourcesRoutes(containers));
  api.addRoutes(containerFsRoutes(containers));
  api.addRoutes(imageRoutes({
    // No second copy of the tar is kept: the layer store's tar-split record rebuilds it for save and push.
    importTar: (input, o) => images.importTar(input, o),
    importUrl: (src, o, progress) => images.importFromUrl(src, o, progress, (input, io) => images.importTar(input, io)),
    pull: (req, progress) => distribution.pull(req, progress),
    push: (name, tag, auth, progress) => distribution.push(name, tag, auth, progress),
    list: (all, filters) => images.list(all, filters),
    inspect: (ref) => images.inspect(ref),
    history: (ref) => images.history(ref),
    tag: (src, repo, tag) => images.tag(src, repo, tag),
    remove: async (ref, force, noprune) => {
      const out = await images.remove(ref, force, noprune);
      if (!noprune) await distribution.gcContent().catch((err: unknown) => log.warn({ err }, 'content gc failed'));
      return out;
    },
  }, parseFilters));
  api.addRoutes(imageArchiveRoutes({
    save: (names) => archive.save(names),
    load: (input, quiet, progress, signal) => archive.load(input, quiet, progress, signal),
  }));
  api.addRoutes(distributionRoutes({
    login: (body) => distribution.login(body),
    inspectDistribution: (name, auth) => distribution.inspectDistribution(name, auth),
  }));
  const nets = networks;
  api.addRoutes(networkRoutes({
    list: (filters) => nets.listView(filters, (name) => containers.networkInUse(name)),
    inspect: (ref) => nets.inspectView(ref),
    create: (body) => nets.create(body as CreateNetworkRequest),
    remove: (ref) => nets.remove(ref),
    prune: (filters) => nets.prune(filters, (name) => containers.networkInUse(name)),
    connect: (net, ctr, ep) => containers.connectNetwork(net, ctr, ep),
    disconnect: (net, ctr, force) => containers.disconnectNetwork(net, ctr, force),
  }, parseFilters));
  api.addRoutes(volumeRoutes(volumes, parseFilters));
  api.addRoutes(pruneRoutes({
    containers: (filters) => containers.prune(filters),
    images: async (filters) => {
      const report = await pruneImages({ images, events, inUse: (id) => containers.containersUsing(id).length > 0, layersSize: () => layers.totalSize() }, filters);
      // The blobs kept for the pruned images' layers go too (as after rmi).
      await distribution.gcContent().catch((err: unknown) => log.warn({ err }, 'content gc failed'));
      return report;
    },
  }, parseFilters));
  api.addRoutes(systemDfRoutes({
    layersSize: () => layers.totalSize(),
    images: () => images.diskUsage(),
    containers: () => containers.list({ all: true, limit: 0, size: true, filters: {} }),
    volumes: () => volumes.usage(),
    buildCache: async () => buildCacheUsage(buildStore, layers, images, await builder.cacheMountUsage()),
  }));
  api.addRoutes(buildRoutes({
    build: (ctx, o, emit, signal) => builder.build(ctx, o, emit, signal),
    prune: (all, filters) => builder.prune(all, filters),
    session: (id, ssh, conn) => builder.session(id, ssh, conn),
    commit: commitRunner(containers, images, buildStore, layers),
  }, parseFilters));
  const wiring: Wiring = {
    api, containers, images, volumes, distribution, archive, events, networks, buildStore, daemonId: id, metrics,
    enableMetrics: async () => {
      metrics ??= await loadEngineMetrics(() => containers.metrics());
      wiring.metrics = metrics;
      return metrics;
    },
  };
  return wiring;
}
