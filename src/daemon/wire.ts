// The composition root: builds every service with its dependencies and connects them.
// No business logic here (STYLE.md §7.7 rule 4).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/index.ts';
import { EventBus } from '../events/index.ts';
import { LayerStore } from '../layer/index.ts';
import { ImageService } from '../image/index.ts';
import { ConmonLauncher, OciRuntime, SeccompBpfCompiler } from '../runtime/index.ts';
import { ContainerService, parseFilters } from '../container/index.ts';
import { ApiServer, containerResourcesRoutes, containerRoutes, execRoutes, imageRoutes, systemRoutes } from '../api/server/index.ts';
import { StatsCollector } from '../stats/index.ts';
import type { HostFacts } from '../specgen/index.ts';
import type { DaemonConfig } from './config.ts';
import { BERTH_VERSION, systemInfo, versionInfo } from './system-info.ts';

export interface Wiring {
  api: ApiServer;
  containers: ContainerService;
  images: ImageService;
  events: EventBus;
}

export interface Binaries {
  conmon: string;
  runtimes: Map<string, string>;
  initPath: string | null;
}

export function wire(cfg: DaemonConfig, host: HostFacts, bins: Binaries, defaultRuntime: string, log: Logger): Wiring {
  const events = new EventBus();
  const layers = new LayerStore(cfg.dataRoot, log.child({ module: 'layer' }));
  const images = new ImageService(cfg.dataRoot, layers, events, log.child({ module: 'image' }));
  const conmon = new ConmonLauncher({ conmon: bins.conmon, execRoot: cfg.execRoot });
  const runtimes = new Map([...bins.runtimes].map(([name, path]) => [name, new OciRuntime({ name, path }, cfg.execRoot)]));
  const containers = new ContainerService({
    dataRoot: cfg.dataRoot,
    images: { resolve: (ref) => images.resolve(ref) },
    layers, runtimes, conmon, events, host, seccompBpf: new SeccompBpfCompiler(),
    stats: new StatsCollector({ cgroupVersion: host.cgroupVersion }),
    log: log.child({ module: 'container' }),
    options: { cgroupParent: cfg.cgroupParent, initPath: bins.initPath, defaultRuntime, stopTimeout: cfg.stopTimeout },
  });
  images.setUsage({ containersUsing: (id) => containers.containersUsing(id), layersInUse: () => containers.layersInUse() });

  const api = new ApiServer({ serverVersion: BERTH_VERSION, log: log.child({ module: 'api' }) });
  const startedAt = new Date();
  const id = randomUUID();
  api.addRoutes(systemRoutes({
    version: () => versionInfo(host.arch),
    info: () => systemInfo({
      config: cfg, runtime: defaultRuntime, runtimes: [...runtimes.keys()], cgroupVersion: host.cgroupVersion,
      seccomp: host.seccompProfile !== null, containers: () => containers.counts(), imageCount: () => images.store.all().length,
      startedAt, id,
    }, host.arch),
    events: (since, until, onEvent) => {
      const unsubscribe = events.subscribe(onEvent);
      return { history: since === undefined ? [] : events.history(since, until), unsubscribe };
    },
  }, parseFilters));
  api.addRoutes(containerRoutes(containers, parseFilters));
  api.addRoutes(execRoutes(containers));
  api.addRoutes(containerResourcesRoutes(containers));
  api.addRoutes(imageRoutes({
    importTar: (input, o) => images.importTar(input, o),
    list: (all, filters) => images.list(all, filters),
    inspect: (ref) => images.inspect(ref),
    history: (ref) => images.history(ref),
    tag: (src, repo, tag) => images.tag(src, repo, tag),
    remove: (ref, force, noprune) => images.remove(ref, force, noprune),
  }, parseFilters));
  return { api, containers, images, events };
}
