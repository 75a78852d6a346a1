// The rows and fields of `docker network ls` (cli/command/network/formatter.go): .ID
// .Name .Driver .Scope .IPv4 .IPv6 .Internal .Labels .Label .CreatedAt; the default table
// is NETWORK ID / NAME / DRIVER / SCOPE.
import type { NetworkSummary } from '../../../client/index.ts';
import { GoStruct } from '../../format/go-value.ts';
import { truncateId } from '../../format/short-text.ts';

export const NETWORK_HEADER: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6',
  Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** NewFormat: "table" and "raw" honour -q; any other format is used as given. */
export function networkFormat(source: string, quiet: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : DEFAULT_TABLE;
  if (source === 'raw') {
    return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n';
  }
  return source;
}

/**
 * Go's time.Time.String() of a time decoded from RFC 3339 JSON: the offset it was written
 * with, fractional seconds without trailing zeros ("2024-05-01 12:00:00.5 +0000 UTC").
 */
export function goTimeFromRfc3339(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return s;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4]!.replace(':', '')} ${m[4]!.replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac === '' ? '' : `.${frac}`} ${zone}`;
}

export function networkContext(n: NetworkSummary, trunc: boolean): GoStruct {
  const labels = n.Labels ?? {};
  return new GoStruct('*network.networkContext', {
    ID: () => (trunc ? truncateId(n.Id) : n.Id),
    Name: () => n.Name,
    Driver: () => n.Driver,
    Scope: () => n.Scope,
    IPv4: () => String(n.EnableIPv4 ?? true),
    IPv6: () => String(n.EnableIPv6 === true),
    Internal: () => String(n.Internal === true),
    Labels: () => Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    Label: (name: unknown) => labels[String(name)] ?? '',
    CreatedAt: () => goTimeFromRfc3339(n.Created),
  });
}
