// Address arithmetic for IPAM: an address is a bigint within its family, so IPv4 and IPv6
// share one code path. Parsing and formatting go through ipaddr.js.
import ipaddr from 'ipaddr.js';
import { InvalidArgumentError } from '../lib/index.ts';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function parseIp(text: string): { family: Family; value: bigint } {
  if (!ipaddr.isValid(text)) throw new InvalidArgumentError(`invalid IP address: ${text}`);
  const addr = ipaddr.parse(text);
  // ::ffff:a.b.c.d is an IPv4 address to users.
  const a = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
  let v = 0n;
  for (const b of a.toByteArray()) v = (v << 8n) | BigInt(b);
  return { family: a.kind() === 'ipv4' ? 4 : 6, value: v };
}

export function formatIp(family: Family, value: bigint): string {
  const bytes: number[] = [];
  for (let i = BITS[family] / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  const { family, value } = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d+$/.test(prefixText) || prefix > BITS[family]) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  return { family, base: value & mask(family, prefix), prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.base)}/${c.prefix}`;
}

function mask(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

export function size(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix);
}

export function last(c: Cidr): bigint {
  return c.base + size(c) - 1n;
}

export function contains(c: Cidr, family: Family, value: bigint): boolean {
  return c.family === family && value >= c.base && value <= last(c);
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix && contains(outer, inner.family, inner.base);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.base <= last(b) && b.base <= last(a);
}

/** The host's own address inside the subnet text ("10.1.0.7/24" keeps .7), as --bip gives it. */
export function parseIpWithPrefix(text: string): { ip: string; cidr: Cidr } {
  const cidr = parseCidr(text);
  const ip = text.slice(0, text.indexOf('/'));
  return { ip: formatIp(cidr.family, parseIp(ip).value), cidr };
}

/** A MAC address from an IPv4 address, as Docker did before v25 (02:42 + the 4 bytes): stable and unique per address. */
export function macFor(family: Family, value: bigint, random: () => number = Math.random): string {
  const bytes = family === 4
    ? [0x02, 0x42, ...[24n, 16n, 8n, 0n].map((s) => Number((value >> s) & 0xffn))]
    : [0x02, 0x42, ...Array.from({ length: 4 }, () => Math.floor(random() * 256))];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
