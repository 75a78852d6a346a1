// berth network create: POST /networks/create with the body docker 28 sends (CreateRequest:
// driver, scope, EnableIPv4/EnableIPv6 only when the flag was given, IPAM from --subnet,
// --ip-range, --gateway, --aux-address, --ipam-driver, --ipam-opt; options, labels).
// Prints the new network's id; a daemon warning goes to stderr.
import { Option } from 'commander';
import type { NetworkCreateRequest } from '../../../client/index.ts';
import { messageOf } from '../../../lib/index.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { keyValueMap, validateLabel } from '../../opts/key-value.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { createIpamConfig } from './ipam-config.ts';
import { sliceValues } from './slice-flag.ts';

export interface CreateOptions {
  driver: string;
  opt: string[];
  label: string[];
  internal?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  scope: string;
  configOnly?: boolean;
  configFrom: string;
  ipamDriver: string;
  subnet: string[];
  ipRange: string[];
  gateway: string[];
  auxAddress: string[];
  ipamOpt: string[];
}

/** The request body for the parsed flags (throws InvalidArgumentError with docker's messages). */
export function createRequest(name: string, o: CreateOptions): NetworkCreateRequest {
  for (const l of o.label) {
    try {
      validateLabel(l);
    } catch (e) {
      throw new FlagValueError('--label', l, messageOf(e));
    }
  }
  let config;
  try {
    config = createIpamConfig({
      subnets: sliceValues(o.subnet), ipRanges: sliceValues(o.ipRange), gateways: sliceValues(o.gateway),
      auxAddresses: keyValueMap(o.auxAddress),
    });
  } catch (e) {
    throw new StatusError(1, messageOf(e));
  }
  return {
    Driver: o.driver,
    Scope: o.scope,
    ...(o.ipv4 !== undefined ? { EnableIPv4: o.ipv4 } : {}),
    ...(o.ipv6 !== undefined ? { EnableIPv6: o.ipv6 } : {}),
    IPAM: { Driver: o.ipamDriver, Config: config, Options: keyValueMap(o.ipamOpt) },
    Internal: o.internal === true,
    Attachable: o.attachable === true,
    Ingress: o.ingress === true,
    ConfigOnly: o.configOnly === true,
    ConfigFrom: o.configFrom === '' ? null : { Network: o.configFrom },
    Options: keyValueMap(o.opt),
    Labels: keyValueMap(o.label),
    Name: name,
  };
}

export function networkCreateVerb(): VerbSpec<CreateOptions> {
  return {
    name: 'create',
    usage: '[OPTIONS] NETWORK',
    description: 'Create a network',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('--attachable', 'Enable manual container attachment')
      .addOption(listOption('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by Network driver'))
      .option('--config-from <string>', 'The network from which to copy the configuration', '')
      .option('--config-only', 'Create a configuration only network')
      .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
      .addOption(listOption('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet'))
      .option('--ingress', 'Create swarm routing-mesh network')
      .option('--internal', 'Restrict external access to the network')
      .addOption(listOption('--ip-range <strings>', 'Allocate container ip from a sub-range'))
      .option('--ipam-driver <string>', 'IP Address Management Driver', 'default')
      .addOption(listOption('--ipam-opt <map>', 'Set IPAM driver specific options'))
      .option('--ipv4', 'Enable or disable IPv4 address assignment (default true)')
      .addOption(new Option('--no-ipv4').hideHelp())
      .option('--ipv6', 'Enable or disable IPv6 address assignment')
      .addOption(new Option('--no-ipv6').hideHelp())
      .addOption(listOption('--label <list>', 'Set metadata on a network'))
      .addOption(listOption('-o, --opt <map>', 'Set driver specific options'))
      .option('--scope <string>', "Control the network's scope", '')
      .addOption(listOption('--subnet <strings>', 'Subnet in CIDR format that represents a network segment')),
    action: async ({ ctx, args, opts, client }) => {
      const res = await client().networks.create(createRequest(args[0]!, opts));
      await writeOut(ctx.out, `${res.Id}\n`);
      if (res.Warning) await writeOut(ctx.err, `${res.Warning}\n`);
    },
  };
}
