// berthd's Prometheus metrics (prom-client): the engine's own (API requests by route and
// status with latency histograms, container starts, events, event-loop lag, memory through
// prom-client's default collectors) and, per container, figures read at scrape time
// (CPU, memory, pids, network and block I/O, restarts, health, OOM kills, state), labelled
// with the container's id, name, image and compose project.
import type * as client from 'prom-client';

// prom-client is loaded only when metrics are on (--metrics-addr): it costs berthd ~10 MB
// and ~90 ms of start-up otherwise spent for nothing.
let prom: typeof client | null = null;

/** Loads prom-client and makes the metrics; the only way to get an EngineMetrics. */
export async function loadEngineMetrics(containers: () => Promise<ContainerFigures[]>): Promise<EngineMetrics> {
  if (prom === null) {
    const mod = (await import('prom-client')) as typeof client & { default?: typeof client };
    prom = mod.default ?? mod;
  }
  return new EngineMetrics(prom, containers);
}

/** What a scrape reads of each container (the container service provides it). */
export interface ContainerFigures {
  id: string;
  name: string;
  image: string;
  composeProject: string;
  state: string;
  restarts: number;
  health: string;
  usage: {
    cpuSeconds: number;
    memoryBytes: number;
    memoryLimitBytes: number;
    pids: number;
    blkioReadBytes: number;
    blkioWriteBytes: number;
    networks: Record<string, { rxBytes: number; txBytes: number }>;
  } | null;
}

const CTR = ['id', 'name', 'image', 'compose_project'] as const;
const STATES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTH = ['starting', 'healthy', 'unhealthy'];

export class EngineMetrics {
  readonly registry: client.Registry;
  readonly #requests: client.Counter<'method' | 'route' | 'status'>;
  readonly #latency: client.Histogram<'method' | 'route'>;
  readonly #events: client.Counter<'type' | 'action'>;
  readonly #starts: client.Counter;
  readonly #oomKills: client.Counter<(typeof CTR)[number]>;
  readonly #scrapeErrors: client.Counter;
  readonly #alerts: client.Counter<'rule' | 'result'>;
  readonly #c: Record<string, client.Gauge<string> | client.Counter<string>>;

  constructor(prom: typeof client, private readonly containers: () => Promise<ContainerFigures[]>) {
    this.registry = new prom.Registry();
    const registers = [this.registry];
    prom.collectDefaultMetrics({ register: this.registry, prefix: 'berth_' });
    this.#requests = new prom.Counter({ name: 'berth_api_requests_total', help: 'Engine API requests by route template, method and status', labelNames: ['method', 'route', 'status'], registers });
    this.#latency = new prom.Histogram({
      name: 'berth_api_request_duration_seconds', help: 'Engine API request latency (streams: until the stream ends)', labelNames: ['method', 'route'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.#events = new prom.Counter({ name: 'berth_events_total', help: 'Engine events by type and action', labelNames: ['type', 'action'], registers });
    this.#starts = new prom.Counter({ name: 'berth_container_starts_total', help: 'Container starts (restarts included)', registers });
    this.#oomKills = new prom.Counter({ name: 'berth_container_oom_kills_total', help: 'OOM kills seen since berthd started, per container', labelNames: [...CTR], registers });
    this.#scrapeErrors = new prom.Counter({ name: 'berth_metrics_scrape_errors_total', help: 'Scrapes whose container figures could not be read', registers });
    this.#alerts = new prom.Counter({ name: 'berth_alert_deliveries_total', help: 'Alert webhook deliveries by rule and result (delivered, failed after retries, dropped from a full queue)', labelNames: ['rule', 'result'], registers });
    const g = (name: string, help: string, extra: string[] = []): client.Gauge<string> => new prom.Gauge({ name, help, labelNames: [...CTR, ...extra], registers });
    const c = (name: string, help: string, extra: string[] = []): client.Counter<string> => new prom.Counter({ name, help, labelNames: [...CTR, ...extra], registers });
    this.#c = {
      cpu: c('berth_container_cpu_seconds_total', 'CPU time used by the container'),
      mem: g('berth_container_memory_usage_bytes', 'Memory used by the container (cgroup usage)'),
      memLimit: g('berth_container_memory_limit_bytes', 'The container memory limit (the host memory when unlimited)'),
      pids: g('berth_container_pids', 'Processes and threads in the container'),
      rx: c('berth_container_network_receive_bytes_total', 'Bytes received by the container', ['interface']),
      tx: c('berth_container_network_transmit_bytes_total', 'Bytes sent by the container', ['interface']),
      blkRead: c('berth_container_blkio_read_bytes_total', 'Bytes read from block devices'),
      blkWrite: c('berth_container_blkio_write_bytes_total', 'Bytes written to block devices'),
      restarts: g('berth_container_restarts', 'Restarts of the container by its restart policy'),
      health: g('berth_container_health_status', '1 for the container\'s current health status', ['status']),
      state: g('berth_container_state', '1 for the container\'s current state', ['state']),
    };
  }

  /** An API request finished (route is the template, e.g. /containers/{id}/start). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const r = route || 'unmatched';
    this.#requests.inc({ method, route: r, status: String(status) });
    this.#latency.observe({ method, route: r }, seconds);
  }

  /** An alert delivery finished. */
  observeAlert(rule: string, result: string): void {
    this.#alerts.inc({ rule, result });
  }

  /** An engine event (the event bus feeds every one here). */
  observeEvent(type: string, action: string, attrs: Record<string, string>, id: string): void {
    const base = action.split(':')[0]!;
    this.#events.inc({ type, action: base });
    if (type !== 'container') return;
    if (base === 'start') this.#starts.inc();
    if (base === 'oom') this.#oomKills.inc({ id, name: attrs.name ?? '', image: attrs.image ?? '', compose_project: attrs['com.docker.compose.project'] ?? '' });
  }

  /** The exposition text, with per-container figures read now. */
  async text(): Promise<string> {
    let figures: ContainerFigures[] = [];
    try { figures = await this.containers(); } catch { this.#scrapeErrors.inc(); }
    for (const m of Object.values(this.#c)) m.reset();
    const c = this.#c as Record<string, client.Gauge<string> & client.Counter<string>>;
    for (const f of figures) {
      const l = { id: f.id, name: f.name, image: f.image, compose_project: f.composeProject };
      for (const s of STATES) c.state!.set({ ...l, state: s }, f.state === s ? 1 : 0);
      c.restarts!.set(l, f.restarts);
      if (f.health !== 'none') for (const h of HEALTH) c.health!.set({ ...l, status: h }, f.health === h ? 1 : 0);
      const u = f.usage;
      if (!u) continue;
      c.cpu!.inc(l, u.cpuSeconds);
      c.mem!.set(l, u.memoryBytes);
      c.memLimit!.set(l, u.memoryLimitBytes);
      c.pids!.set(l, u.pids);
      c.blkRead!.inc(l, u.blkioReadBytes);
      c.blkWrite!.inc(l, u.blkioWriteBytes);
      for (const [iface, n] of Object.entries(u.networks)) {
        c.rx!.inc({ ...l, interface: iface }, n.rxBytes);
        c.tx!.inc({ ...l, interface: iface }, n.txBytes);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
