// formatter.DisplayablePorts: the PORTS column of docker ps. Consecutive unpublished ports
// collapse into ranges ("80-81/tcp"), published ones show "0.0.0.0:8080->80/tcp".
import type { ContainerSummary } from '../../api/types/index.ts';

type Port = ContainerSummary['Ports'][number];

function joinHostPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function comparePorts(a: Port, b: Port): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipa = a.IP ?? '';
  const ipb = b.IP ?? '';
  if (ipa !== ipb) return ipa < ipb ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, start: number, last: number): string {
  const parts = key.split('/');
  let type = parts[0]!;
  let ip = '';
  if (parts.length > 1) {
    ip = parts[0]!;
    type = parts[1]!;
  }
  let group = String(start);
  if (start !== last) group = `${group}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

export function displayablePorts(ports: readonly Port[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if (port.PublicPort !== current) {
        hostMappings.push(`${joinHostPort(port.IP, String(port.PublicPort ?? 0))}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(formGroup(key, group.first, group.last));
    groups.set(key, { first: current, last: current });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}
