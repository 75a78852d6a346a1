// The fields `docker ps --format` offers (formatter.ContainerContext of docker CLI 28): .ID
// .Image .Command .CreatedAt .RunningFor .Ports .State .Status .Size .Names .Labels .Label
// .Mounts .LocalVolumes .Networks .Platform, each computed as docker computes it.
import type { ContainerSummary } from '../../api/types/index.ts';
import { GoStruct, goQuote, isPlainObject } from './go-value.ts';
import { goTimeString } from './go-time.ts';
import { humanDuration } from './human-duration.ts';
import { humanSize } from './human-size.ts';
import { displayablePorts } from './ports-display.ts';
import { ellipsis, truncateId } from './short-text.ts';
import { familiarImage } from './image-ref.ts';

export const CONTAINER_HEADER: Record<string, string> = {
  ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS',
  Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', Platform: 'PLATFORM',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** formatter.NewContainerFormat: the format docker ps uses for the given flags. */
export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  if (source === '' || source === 'table') {
    if (quiet) return '{{.ID}}';
    return size ? `${DEFAULT_TABLE}\t{{.Size}}` : DEFAULT_TABLE;
  }
  if (source === 'raw') {
    if (quiet) return 'container_id: {{.ID}}';
    return 'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n'
      + 'state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\n'
      + `ports: {{- pad .Ports 1 0}}\n${size ? 'size: {{.Size}}\\n' : ''}`;
  }
  return quiet ? '{{.ID}}' : source;
}

export interface ContainerContextOptions {
  trunc: boolean;
  now: Date;
  /** Called when the template reads .Size (docker then asks the daemon for sizes). */
  onSizeUsed?: () => void;
}

interface MountSummary { Name?: string; Source?: string; Driver?: string }

function mountSummary(m: unknown): MountSummary {
  const o = isPlainObject(m) ? m : {};
  const s = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  const out: MountSummary = {};
  const name = s('Name');
  const source = s('Source');
  const driver = s('Driver');
  if (name !== undefined) out.Name = name;
  if (source !== undefined) out.Source = source;
  if (driver !== undefined) out.Driver = driver;
  return out;
}

export function containerContext(c: ContainerSummary, opts: ContainerContextOptions): GoStruct {
  const { trunc } = opts;
  const labels = c.Labels ?? {};
  const mounts = (c.Mounts ?? []).map(mountSummary);
  return new GoStruct('*formatter.ContainerContext', {
    ID: () => (trunc ? truncateId(c.Id) : c.Id),
    Names: () => {
      const names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
      // Truncated output shows one name, skipping legacy link names ("/other/alias").
      if (trunc) return names.find((n) => !n.includes('/')) ?? '';
      return names.join(',');
    },
    Image: () => {
      if (!c.Image) return '<no image>';
      if (!trunc) return c.Image;
      const short = truncateId(c.ImageID ?? '');
      if (short === truncateId(c.Image)) return short;
      return familiarImage(c.Image);
    },
    Command: () => goQuote(trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? ''),
    CreatedAt: () => goTimeString(new Date(c.Created * 1000)),
    RunningFor: () => `${humanDuration(opts.now.getTime() - c.Created * 1000)} ago`,
    Ports: () => displayablePorts(c.Ports ?? []),
    State: () => c.State,
    Status: () => c.Status,
    Size: () => {
      opts.onSizeUsed?.();
      const srw = humanSize(c.SizeRw ?? 0, 3);
      return (c.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize(c.SizeRootFs ?? 0, 3)})` : srw;
    },
    Labels: () => Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    Mounts: () => mounts.map((m) => {
      const name = m.Name ? m.Name : m.Source ?? '';
      return trunc ? ellipsis(name, 15) : name;
    }).join(','),
    LocalVolumes: () => String(mounts.filter((m) => m.Driver === 'local').length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Platform: () => {
      const p = c.ImageManifestDescriptor?.platform;
      return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : null;
    },
  });
}
