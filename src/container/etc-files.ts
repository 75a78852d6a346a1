// The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, written into the
// container's directory and bind-mounted (Docker does the same). Pure text builders plus
// one writer; the networking work replaces the address lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname as osHostname } from 'node:os';
import type { ExtraMount } from '../specgen/index.ts';

export function hostsFile(hostname: string, extra: readonly string[] = [], addresses: readonly string[] = [], hostGateway = ''): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const e of extra) {
    const i = e.lastIndexOf(':');
    if (i <= 0) continue;
    const ip = e.slice(i + 1) === 'host-gateway' ? hostGateway : e.slice(i + 1);
    if (ip) lines.push(`${ip}\t${e.slice(0, i)}`);
  }
  // The container's own addresses name it (Docker writes them last); without any, 127.0.1.1.
  if (addresses.length === 0) lines.push(`127.0.1.1\t${hostname}`);
  for (const a of addresses) lines.push(`${a}\t${hostname}`);
  return lines.join('\n') + '\n';
}

/** The host's resolv.conf without loopback resolvers, which mean nothing inside a netns (moby libnetwork/resolvconf). */
export function containerResolvConf(hostText: string, dns: readonly string[], search: readonly string[], options: readonly string[], embedded: string | null = null): string {
  const kept = hostText.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
  let lines = kept.filter((l) => l.trim() !== '');
  // On user-defined networks the embedded DNS answers (and forwards the rest, or to --dns).
  if (embedded) lines = lines.filter((l) => !/^\s*nameserver/.test(l)).concat([`nameserver ${embedded}`]);
  if (dns.length > 0 && !embedded) lines = lines.filter((l) => !/^\s*nameserver/.test(l)).concat(dns.map((d) => `nameserver ${d}`));
  if (search.length > 0) lines = lines.filter((l) => !/^\s*(search|domain)\b/.test(l)).concat([`search ${search.join(' ')}`]);
  if (options.length > 0) lines = lines.filter((l) => !/^\s*options\b/.test(l)).concat([`options ${options.join(' ')}`]);
  if (!lines.some((l) => /^\s*nameserver/.test(l))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return lines.join('\n') + '\n';
}

export interface EtcInputs {
  dir: string;
  hostname: string;
  hostNetwork: boolean;
  extraHosts: readonly string[];
  dns: readonly string[];
  dnsSearch: readonly string[];
  dnsOptions: readonly string[];
  readonly: boolean;
  /** The container's own addresses. */
  addresses?: readonly string[];
  /** The embedded DNS server (user-defined networks). */
  nameserver?: string | null;
  /** What --add-host name:host-gateway maps to. */
  hostGateway?: string;
  /** `dir` is on a tmpfs: write in place (microseconds) rather than through pool round trips. */
  inPlace?: boolean;
}

/** container:<id> network mode: the other container's files, as Docker shares them. */
export async function sharedEtcMounts(dir: string): Promise<ExtraMount[]> {
  const opts = ['rbind', 'rprivate', 'rw'];
  return ['hostname', 'hosts', 'resolv.conf'].map((f) => ({ destination: `/etc/${f}`, source: join(dir, f), type: 'bind' as const, options: opts }));
}

export async function writeEtcFiles(i: EtcInputs): Promise<ExtraMount[]> {
  // The host's files are small and page-cached: read in place when writing in place.
  const read = (p: string): Promise<string> => (i.inPlace ? Promise.resolve().then(() => readFileSync(p, 'utf8')) : readFile(p, 'utf8'));
  const hostResolv = await read('/etc/resolv.conf').catch(() => '');
  const hosts = i.hostNetwork ? await read('/etc/hosts').catch(() => hostsFile(osHostname())) : hostsFile(i.hostname, i.extraHosts, i.addresses ?? [], i.hostGateway ?? '');
  const resolv = i.hostNetwork && i.dns.length === 0 ? hostResolv : containerResolvConf(hostResolv, i.dns, i.dnsSearch, i.dnsOptions, i.nameserver ?? null);
  const files: [string, string][] = [['hostname', `${i.hostname}\n`], ['hosts', hosts], ['resolv.conf', resolv]];
  if (i.inPlace) for (const [f, text] of files) writeFileSync(join(i.dir, f), text);
  else await Promise.all(files.map(([f, text]) => writeFile(join(i.dir, f), text)));
  const opts = ['rbind', 'rprivate', i.readonly ? 'ro' : 'rw'];
  return ['hostname', 'hosts', 'resolv.conf'].map((f) => ({ destination: `/etc/${f}`, source: join(i.dir, f), type: 'bind' as const, options: opts }));
}
