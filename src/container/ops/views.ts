// Read-only views: inspect, list (ps) with Docker's filters, top.
import { InvalidArgumentError } from '../../lib/index.ts';
import type { ContainerInspect, ContainerSummary, TopResponse } from '../../api/types/index.ts';
import { etcDirOf, runtimeFor, type ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';
import { execTool } from '../../lib/index.ts';
import { join } from 'node:path';
import { networkSettings, portsList } from '../networking.ts';
import { mountPointsView } from '../mounts.ts';
import { canRead, logFilePath } from '../../logdriver/index.ts';
import { logConfigOf } from '../log-shipping.ts';

export function inspectView(ctx: ContainerContext, c: Container): ContainerInspect {
  const s = c.state;
  const dir = ctx.store.dir(c.config.id);
  return {
    Id: c.config.id,
    Created: c.config.created,
    Path: c.config.path,
    Args: c.config.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health ? { Health: { Status: s.health.status, FailingStreak: s.health.failingStreak, Log: s.health.log } } : {}),
    },
    Image: c.config.imageId,
    ResolvConfPath: join(etcDirOf(ctx, c.config.id), 'resolv.conf'),
    HostnamePath: join(etcDirOf(ctx, c.config.id), 'hostname'),
    HostsPath: join(etcDirOf(ctx, c.config.id), 'hosts'),
    LogPath: inspectLogPath(dir, c),
    Name: `/${s.name}`,
    RestartCount: s.restartCount,
    Driver: ctx.layers.driver.name,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: c.config.hostConfig,
    GraphDriver: ctx.layers.graphDriver(c.config.imageTopLayer, c.config.id),
    Mounts: mountPointsView(ctx, c),
    Config: { ...c.config.config, Hostname: c.config.config.Hostname || c.config.id.slice(0, 12) },
    NetworkSettings: networkSettings(ctx, c),
  };
}

/** Docker's Status column: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created", … */
export function statusText(c: Container, now = Date.now()): string {
  const s = c.state;
  switch (s.status) {
    case 'running':
    case 'paused': {
      const health = s.health && s.health.status !== 'none' ? ` (${s.health.status === 'starting' ? 'health: starting' : s.health.status})` : '';
      return `Up ${humanDuration(now - Date.parse(s.startedAt))}${s.status === 'paused' ? ' (Paused)' : health}`;
    }
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'exited':
      if (s.finishedAt.startsWith('0001')) return 'Created';
      return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export type Filters = Record<string, string[]>;

/** The `filters` query parameter: {"status":["running"]} or the old {"status":{"running":true}}. */
export function parseFilters(raw: string | undefined): Filters {
  if (!raw) return {};
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw new InvalidArgumentError(`invalid filter '${raw}'`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`invalid filter '${raw}'`);
  const out: Filters = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(val)) out[k] = val.map(String);
    else if (val && typeof val === 'object') out[k] = Object.keys(val).filter((x) => (val as Record<string, unknown>)[x]);
    else throw new InvalidArgumentError(`invalid filter '${raw}'`);
  }
  return out;
}

const LIST_FILTERS = new Set(['ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network', 'publish', 'since', 'status', 'volume']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

export interface ListOptions { all: boolean; limit: number; size: boolean; filters: Filters }

export async function listContainers(ctx: ContainerContext, o: ListOptions): Promise<ContainerSummary[]> {
  for (const k of Object.keys(o.filters)) if (!LIST_FILTERS.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  for (const st of o.filters.status ?? []) {
    if (!STATUSES.has(st)) throw new InvalidArgumentError(`invalid filter 'status=${st}'`);
  }
  let list = ctx.store.all().sort((a, b) => b.config.created.localeCompare(a.config.created));
  const f = o.filters;
  const created = (ref: string): string => ctx.store.get(ref).config.created;
  if (f.before?.length) { const t = created(f.before[0]!); list = list.filter((c) => c.config.created < t); }
  if (f.since?.length) { const t = created(f.since[0]!); list = list.filter((c) => c.config.created > t); }
  const all = o.all || (f.status?.length ?? 0) > 0 || (f.exited?.length ?? 0) > 0 || o.limit > 0;
  list = list.filter((c) => {
    const s = c.state;
    if (!all && s.status !== 'running' && s.status !== 'paused' && s.status !== 'restarting') return false;
    if (f.status?.length && !f.status.includes(s.status)) return false;
    if (f.id?.length && !f.id.some((x) => c.config.id.startsWith(x))) return false;
    if (f.name?.length && !f.name.some((x) => new RegExp(x.replace(/^\//, '')).test(s.name))) return false;
    if (f.exited?.length && !(s.status === 'exited' && f.exited.includes(String(s.exitCode)))) return false;
    if (f.health?.length && !f.health.includes(s.health?.status ?? 'none')) return false;
    if (f.label?.length) {
      const labels = c.config.config.Labels ?? {};
      for (const l of f.label) {
        const i = l.indexOf('=');
        if (i < 0 ? !(l in labels) : labels[l.slice(0, i)] !== l.slice(i + 1)) return false;
      }
    }
    if (f.ancestor?.length && !f.ancestor.some((a) => ancestorMatches(ctx, c, a))) return false;
    if (f.volume?.length && !f.volume.some((v) => (c.config.mounts ?? []).some((m) => m.name === v || m.destination === v || (m.type === 'bind' && m.source === v)))) return false;
    return true;
  });
  if (o.limit > 0) list = list.slice(0, o.limit);
  const out = list.map((c) => summary(ctx, c));
  if (o.size) {
    await Promise.all(out.map(async (s, i) => {
      const c = list[i]!;
      s.SizeRw = await ctx.layers.driver.diffSize(c.config.id);
      s.SizeRootFs = s.SizeRw + (c.config.imageTopLayer ? ctx.layers.chainSize(c.config.imageTopLayer) : 0);
    }));
  }
  return out;
}

function ancestorMatches(ctx: ContainerContext, c: Container, ref: string): boolean {
  if (c.config.imageRef === ref) return true;
  try {
    return ctx.images.resolve(ref).id === c.config.imageId;
  } catch {
    return false;
  }
}

/** The container's image as `ps` shows it: the name it was created with while that name still means its image, else the id (moby daemon/list.go). */
function imageShown(ctx: ContainerContext, c: Container): string {
  const ref = c.config.imageRef;
  if (ref === c.config.imageId) return ref;
  try {
    if (ctx.images.resolve(ref).id === c.config.imageId) return ref;
  } catch { /* gone or retagged */ }
  return c.config.imageId;
}

function summary(ctx: ContainerContext, c: Container): ContainerSummary {
  const cmd = [c.config.path, ...c.config.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return {
    Id: c.config.id,
    Names: [`/${c.state.name}`],
    Image: imageShown(ctx, c),
    ImageID: c.config.imageId,
    Command: [c.config.path, ...c.config.args].join(' ') || cmd,
    Created: Math.floor(Date.parse(c.config.created) / 1000),
    Ports: portsList(c),
    Labels: c.config.config.Labels ?? {},
    State: c.state.status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.config.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: (networkSettings(ctx, c) as { Networks: Record<string, unknown> }).Networks },
    Mounts: mountPointsView(ctx, c),
  };
}

/** GET /containers/{id}/top: `ps` on the host, limited to the container's pids. */
export async function topContainer(ctx: ContainerContext, c: Container, psArgs: string): Promise<TopResponse> {
  if (c.state.status !== 'running' && c.state.status !== 'paused') throw new InvalidArgumentError(`Container ${c.config.id} is not running`);
  const pids = await runtimeFor(ctx, c.state.runtime).pids(c.config.id);
  const args = (psArgs || '-ef').split(/\s+/).filter(Boolean);
  const r = await execTool('ps', args);
  const lines = r.stdout.trimEnd().split('\n');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const pidCol = header.indexOf('PID');
  if (pidCol < 0) throw new InvalidArgumentError(`Couldn't find PID field in ps output`);
  const want = new Set(pids.map(String));
  const rows: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!want.has(fields[pidCol] ?? '')) continue;
    // The last column (CMD) may contain spaces: keep it whole.
    const head = fields.slice(0, header.length - 1);
    head.push(fields.slice(header.length - 1).join(' '));
    rows.push(head);
  }
  return { Titles: header, Processes: rows };
}

// Docker shows the json-file path, and '' for drivers that keep no file berth reads.
function inspectLogPath(dir: string, c: Container): string {
  const type = logConfigOf(c).Type;
  return type === 'none' || !canRead(type) ? '' : logFilePath(dir, c.config.id, type);
}
