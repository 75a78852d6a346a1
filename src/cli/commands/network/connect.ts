// berth network connect / disconnect: POST /networks/{id}/connect with the endpoint
// settings docker 28 sends (--ip, --ip6, --alias, --link, --link-local-ip, --driver-opt,
// --gw-priority), and POST /networks/{id}/disconnect {Container, Force}.
import { isIP } from 'node:net';
import type { EndpointIpamConfig, EndpointSettings } from '../../../client/index.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { sliceValues } from './slice-flag.ts';

export interface ConnectOptions {
  ip?: string;
  ip6?: string;
  alias: string[];
  link: string[];
  linkLocalIp: string[];
  driverOpt: string[];
  gwPriority: string;
}

function ipFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (isIP(value) === 0) throw new FlagValueError(flag, value, `invalid string being converted to IP address: ${value}`);
  return value;
}

/** The EndpointConfig of the connect request. */
export function endpointSettings(o: ConnectOptions): EndpointSettings {
  const ipam: EndpointIpamConfig = {};
  const v4 = ipFlag('--ip', o.ip);
  const v6 = ipFlag('--ip6', o.ip6);
  // pflag's IP flags take either family; docker sends what was given.
  if (v4 !== undefined) ipam.IPv4Address = v4;
  if (v6 !== undefined) ipam.IPv6Address = v6;
  const linkLocal = sliceValues(o.linkLocalIp).map((ip) => ipFlag('--link-local-ip', ip)!);
  if (linkLocal.length > 0) ipam.LinkLocalIPs = linkLocal;
  const driverOpts: Record<string, string> = {};
  for (const opt of sliceValues(o.driverOpt)) {
    const eq = opt.indexOf('=');
    const k = (eq >= 0 ? opt.slice(0, eq) : opt).trim();
    if (eq < 0 || k === '') throw new StatusError(1, 'invalid key/value pair format in driver options');
    driverOpts[k] = opt.slice(eq + 1).trim();
  }
  if (!/^[+-]?\d+$/.test(o.gwPriority)) {
    throw new FlagValueError('--gw-priority', o.gwPriority, `strconv.ParseInt: parsing ${JSON.stringify(o.gwPriority)}: invalid syntax`);
  }
  return {
    IPAMConfig: ipam,
    Links: o.link.length > 0 ? o.link : null,
    Aliases: sliceValues(o.alias),
    MacAddress: '',
    DriverOpts: driverOpts,
    GwPriority: Number(o.gwPriority),
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

export function networkConnectVerb(): VerbSpec<ConnectOptions> {
  return {
    name: 'connect',
    usage: '[OPTIONS] NETWORK CONTAINER',
    description: 'Connect a container to a network',
    args: { min: 2, max: 2 },
    options: (cmd) => cmd
      .addOption(listOption('--alias <strings>', 'Add network-scoped alias for the container'))
      .addOption(listOption('--driver-opt <strings>', 'driver options for the network'))
      .option('--gw-priority <int>', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.', '0')
      .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
      .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
      .addOption(listOption('--link <list>', 'Add link to another container'))
      .addOption(listOption('--link-local-ip <strings>', 'Add a link-local address for the container')),
    action: async ({ args, opts, client }) => {
      await client().networks.connect(args[0]!, args[1]!, endpointSettings(opts));
    },
  };
}

interface DisconnectOptions { force?: boolean }

export function networkDisconnectVerb(): VerbSpec<DisconnectOptions> {
  return {
    name: 'disconnect',
    usage: '[OPTIONS] NETWORK CONTAINER',
    description: 'Disconnect a container from a network',
    args: { min: 2, max: 2 },
    options: (cmd) => cmd.option('-f, --force', 'Force the container to disconnect from a network'),
    action: async ({ args, opts, client }) => {
      await client().networks.disconnect(args[0]!, args[1]!, opts.force === true);
    },
  };
}
