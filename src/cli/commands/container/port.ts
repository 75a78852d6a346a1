// berth port / berth container port: the published ports of a container from inspect's
// NetworkSettings.Ports, as docker prints them ("80/tcp -> 0.0.0.0:8080", one line per
// binding, natural order); with PRIVATE_PORT[/PROTO] (tcp by default) only that port's
// host addresses, or docker's "No public port" error.
import type { ContainerInspect } from '../../../api/types/index.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { naturalCompare } from '../network/natural-order.ts';

type PortMap = Record<string, { HostIp?: string; HostPort?: string }[] | null>;

/** net.JoinHostPort. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function portsOf(c: ContainerInspect): PortMap {
  const settings = c.NetworkSettings as { Ports?: PortMap | null } | null | undefined;
  return settings?.Ports ?? {};
}

/** The lines `docker port` prints for the container (`port` given: one mapping). */
export function portLines(c: ContainerInspect, container: string, port: string | undefined): string[] {
  const ports = portsOf(c);
  const out: string[] = [];
  if (port !== undefined && port !== '') {
    const slash = port.indexOf('/');
    const num = slash >= 0 ? port.slice(0, slash) : port;
    const proto = slash >= 0 && port.slice(slash + 1) !== '' ? port.slice(slash + 1) : 'tcp';
    if (!/^\d+$/.test(num) || Number(num) > 65535) {
      const why = /^\d+$/.test(num) ? 'value out of range' : 'invalid syntax';
      throw new StatusError(1, `Error: invalid port (${num}): strconv.ParseUint: parsing ${JSON.stringify(num)}: ${why}`);
    }
    const frontends = ports[`${num}/${proto}`];
    if (!frontends || frontends.length === 0) {
      throw new StatusError(1, `Error: No public port '${port}' published for ${container}`);
    }
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  return out.sort(naturalCompare);
}

export function portVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'port',
    usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
    description: 'List port mappings or a specific mapping for the container',
    args: { min: 1, max: 2 },
    action: async ({ ctx, args, client }) => {
      const { value } = await client().containers.inspect(args[0]!);
      const lines = portLines(value, args[0]!, args[1]);
      if (lines.length > 0) await writeOut(ctx.out, `${lines.join('\n')}\n`);
    },
  };
}
