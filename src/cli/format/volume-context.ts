// The rows and fields of `docker volume ls` (formatter.volumeContext): .Name .Driver .Scope
// .Mountpoint .Labels .Label .Links .Size (the last two only known to `system df -v`).
import type { Volume } from '../../api/types/index.ts';
import { GoStruct } from './go-value.ts';
import { humanSize } from './human-size.ts';

export const VOLUME_HEADER: Record<string, string> = {
  Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE',
  Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS',
};

/** formatter.NewVolumeFormat. */
export function volumeFormat(source: string, quiet: boolean): string {
  if (source === '' || source === 'table') return quiet ? '{{.Name}}' : 'table {{.Driver}}\t{{.Name}}';
  if (source === 'raw') return quiet ? 'name: {{.Name}}' : 'name: {{.Name}}\ndriver: {{.Driver}}\n';
  return source;
}

export function volumeRow(v: Volume): GoStruct {
  const labels = v.Labels ?? {};
  return new GoStruct('*formatter.volumeContext', {
    Name: () => v.Name,
    Driver: () => v.Driver,
    Scope: () => v.Scope,
    Mountpoint: () => v.Mountpoint,
    Labels: () => Object.entries(labels).map(([k, val]) => `${k}=${val}`).join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    Links: () => (v.UsageData && v.UsageData.RefCount >= 0 ? String(v.UsageData.RefCount) : 'N/A'),
    Size: () => (v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A'),
    Group: () => 'N/A',
    Availability: () => 'N/A',
    Status: () => 'N/A',
  });
}
