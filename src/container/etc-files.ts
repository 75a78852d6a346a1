// The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, written into the
// container's directory and bind-mounted (Docker does the same). Pure text builders plus
// one writer; the networking work replaces the address lines.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname as osHostname } from 'node:os';
import type { ExtraMount } from '../specgen/index.ts';

export function hostsFile(hostname: string, extra: readonly string[] = []): string {
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
    if (i > 0) lines.push(`${e.slice(i + 1)}\t${e.slice(0, i)}`);
  }
  lines.push(`127.0.1.1\t${hostname}`);
  return lines.join('\n') + '\n';
}

/** The host's resolv.conf without loopback resolvers, which mean nothing inside a netns (moby libnetwork/resolvconf). */
export function containerResolvConf(hostText: string, dns: readonly string[], search: readonly string[], options: readonly string[]): string {
  const kept = hostText.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
  let lines = kept.filter((l) => l.trim() !== '');
  if (dns.length > 0) lines = lines.filter((l) => !/^\s*nameserver/.test(l)).concat(dns.map((d) => `nameserver ${d}`));
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
}

export async function writeEtcFiles(i: EtcInputs): Promise<ExtraMount[]> {
  const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const hosts = i.hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => hostsFile(osHostname())) : hostsFile(i.hostname, i.extraHosts);
  const resolv = i.hostNetwork && i.dns.length === 0 ? hostResolv : containerResolvConf(hostResolv, i.dns, i.dnsSearch, i.dnsOptions);
  await Promise.all([
    writeFile(join(i.dir, 'hostname'), `${i.hostname}\n`),
    writeFile(join(i.dir, 'hosts'), hosts),
    writeFile(join(i.dir, 'resolv.conf'), resolv),
  ]);
  const opts = ['rbind', 'rprivate', i.readonly ? 'ro' : 'rw'];
  return ['hostname', 'hosts', 'resolv.conf'].map((f) => ({ destination: `/etc/${f}`, source: join(i.dir, f), type: 'bind' as const, options: opts }));
}
