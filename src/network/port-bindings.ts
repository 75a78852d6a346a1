// HostConfig.PortBindings (+ PublishAllPorts with the exposed ports) → the list of ports to
// publish (pure). Validation wording follows go-connections/nat and moby's daemon.
import { InvalidArgumentError } from '../lib/index.ts';
import type { PortRequest } from './types.ts';

export interface PortBindingInput {
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
  PublishAllPorts?: boolean;
  ExposedPorts?: Record<string, unknown> | null;
}

const PROTOS = new Set(['tcp', 'udp', 'sctp']);

export function parsePortKey(key: string): { proto: 'tcp' | 'udp' | 'sctp'; from: number; to: number } {
  const [portText = '', protoText = 'tcp'] = key.split('/');
  const proto = protoText.toLowerCase();
  if (!PROTOS.has(proto)) throw new InvalidArgumentError(`invalid proto '${protoText}'`);
  const [from, to] = parseRange(portText, 'port');
  if (from === 0) throw new InvalidArgumentError(`invalid port '${portText}'`);
  return { proto: proto as 'tcp', from, to };
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new InvalidArgumentError(`invalid ${what} '${text}'`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535) throw new InvalidArgumentError(`invalid ${what} '${text}'`);
  if (b < a) throw new InvalidArgumentError(`invalid range specified for ${what}: ${text}`);
  return [a, b];
}

function checkHostIp(ip: string): string {
  if (ip === '') return '';
  const bare = ip.replace(/^\[|\]$/g, '');
  if (!/^[0-9.]+$/.test(bare) && !/^[0-9a-fA-F:.]+$/.test(bare)) throw new InvalidArgumentError(`invalid IP address: ${ip}`);
  return bare === '0.0.0.0' || bare === '::' ? '' : bare;
}

export function portRequests(h: PortBindingInput): PortRequest[] {
  const out: PortRequest[] = [];
  const seen = new Set<string>();
  for (const [key, bindings] of Object.entries(h.PortBindings ?? {})) {
    const { proto, from, to } = parsePortKey(key);
    for (const b of bindings && bindings.length ? bindings : [{}]) {
      const hostIp = checkHostIp(b.HostIp ?? '');
      const [hFrom, hTo] = b.HostPort ? parseRange(b.HostPort, 'hostPort') : [0, 0];
      const n = to - from + 1;
      if (n > 1 && hFrom !== 0 && hTo - hFrom + 1 !== n) {
        throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${from}-${to} and ${hFrom}-${hTo}`);
      }
      for (let i = 0; i < n; i++) {
        const r: PortRequest = n > 1 && hFrom !== 0
          ? { proto, containerPort: from + i, hostIp, hostPortFrom: hFrom + i, hostPortTo: hFrom + i }
          : { proto, containerPort: from + i, hostIp, hostPortFrom: hFrom, hostPortTo: hTo };
        const k = `${r.proto}/${r.containerPort}/${r.hostIp}/${r.hostPortFrom}-${r.hostPortTo}`;
        if (!seen.has(k)) { seen.add(k); out.push(r); }
      }
    }
  }
  if (h.PublishAllPorts) {
    for (const key of Object.keys(h.ExposedPorts ?? {})) {
      const { proto, from, to } = parsePortKey(key);
      for (let p = from; p <= to; p++) {
        if (out.some((r) => r.proto === proto && r.containerPort === p)) continue;
        out.push({ proto, containerPort: p, hostIp: '', hostPortFrom: 0, hostPortTo: 0 });
      }
    }
  }
  return out;
}
