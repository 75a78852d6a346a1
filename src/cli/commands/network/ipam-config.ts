// docker network create's createIPAMConfig: --subnet, --ip-range, --gateway and
// --aux-address consolidated into one IPAM Config entry per subnet, with docker 28's
// checks and messages (every range/gateway needs a subnet, no overlapping subnets, one
// range and one gateway per subnet, each value inside some subnet).
import { isIP } from 'node:net';
import type { NetworkIpamConfig } from '../../../client/index.ts';
import { InvalidArgumentError } from '../../../lib/index.ts';

export interface IpamFlags {
  subnets: readonly string[];
  ipRanges: readonly string[];
  gateways: readonly string[];
  /** --aux-address name=ip, in the order given. */
  auxAddresses: Readonly<Record<string, string>>;
}

interface Cidr { family: 4 | 6; ip: bigint; bits: number }

function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | null {
  const family = isIP(ip);
  if (family === 4) {
    return { family, value: ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  }
  if (family === 6) {
    let s = ip.toLowerCase();
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (v4) {
      const n = ipToBigInt(v4[1] ?? '');
      if (!n) return null;
      s = s.slice(0, v4.index) + `${(n.value >> 16n).toString(16)}:${(n.value & 0xffffn).toString(16)}`;
    }
    const [head = '', tail] = s.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = [...h, ...new Array<string>(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t];
    return { family, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  return null;
}

/** net.ParseCIDR: "addr/bits"; the address keeps its host bits. */
function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = ipToBigInt(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || !/^\d+$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > (addr.family === 4 ? 32 : 128)) return null;
  return { family: addr.family, ip: addr.value, bits };
}

function contains(net: Cidr, family: 4 | 6, ip: bigint): boolean {
  if (net.family !== family) return false;
  const width = BigInt(family === 4 ? 32 : 128);
  const shift = width - BigInt(net.bits);
  return (net.ip >> shift) === (ip >> shift);
}

/** docker's subnetMatches(subnet, data): is data (an address or a CIDR's address) inside subnet? */
export function subnetMatches(subnet: string, data: string): boolean {
  const net = parseCidr(subnet);
  if (!net) throw new InvalidArgumentError(`invalid subnet: invalid CIDR address: ${subnet}`);
  if (data.includes('/')) {
    const d = parseCidr(data);
    if (!d) throw new InvalidArgumentError(`invalid CIDR address: ${data}`);
    return contains(net, d.family, d.ip);
  }
  const ip = ipToBigInt(data);
  return ip !== null && contains(net, ip.family, ip.value);
}

/** The IPAM Config list for the create request (subnet order kept; docker's is map order). */
export function createIpamConfig(f: IpamFlags): NetworkIpamConfig[] {
  if (f.subnets.length < f.ipRanges.length || f.subnets.length < f.gateways.length) {
    throw new InvalidArgumentError('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, NetworkIpamConfig & { AuxiliaryAddresses: Record<string, string> }>();
  for (const s of f.subnets) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) {
        throw new InvalidArgumentError('multiple overlapping subnet configuration is not supported');
      }
    }
    // Validates s even when it is the first one.
    subnetMatches(s, s);
    data.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  for (const r of f.ipRanges) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, r)) continue;
      const d = data.get(s)!;
      if (d.IPRange !== undefined) {
        throw new InvalidArgumentError(`cannot configure multiple ranges (${r}, ${d.IPRange}) on the same subnet (${s})`);
      }
      d.IPRange = r;
      match = true;
    }
    if (!match) throw new InvalidArgumentError(`no matching subnet for range ${r}`);
  }
  for (const g of f.gateways) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, g)) continue;
      const d = data.get(s)!;
      if (d.Gateway !== undefined) {
        throw new InvalidArgumentError(`cannot configure multiple gateways (${g}, ${d.Gateway}) for the same subnet (${s})`);
      }
      d.Gateway = g;
      match = true;
    }
    if (!match) throw new InvalidArgumentError(`no matching subnet for gateway ${g}`);
  }
  for (const [key, aa] of Object.entries(f.auxAddresses)) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, aa)) continue;
      data.get(s)!.AuxiliaryAddresses[key] = aa;
      match = true;
    }
    if (!match) throw new InvalidArgumentError(`no matching subnet for aux-address ${aa}`);
  }
  // AuxiliaryAddresses is omitempty in docker's JSON.
  return [...data.values()].map(({ AuxiliaryAddresses, ...rest }) => (
    Object.keys(AuxiliaryAddresses).length > 0 ? { ...rest, AuxiliaryAddresses } : rest
  ));
}
