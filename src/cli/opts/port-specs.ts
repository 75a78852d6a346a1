// -p/--publish and --expose (go-connections nat.ParsePortSpecs): "[ip:][hostPort:]containerPort[/proto]"
// with ranges ("8000-8001:80-81") and bracketed IPv6 addresses, into the ExposedPorts and
// HostConfig.PortBindings maps the API takes.
import { isIP } from 'node:net';
import { InvalidArgumentError, messageOf } from '../../lib/index.ts';
import type { PortBinding } from '../../api/types/index.ts';

export interface PortSpecs {
  exposed: Record<string, object>;
  bindings: Record<string, PortBinding[]>;
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  if (n === 3) return [parts[0]!, parts[1]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"]; no proto means tcp. */
function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts.length === 0 || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** nat.ParsePortRange: "80" or "8000-8010". */
export function parsePortRange(raw: string): [number, number] {
  const valid = (s: string): number => {
    if (!/^\d+$/.test(s) || Number(s) > 65535) throw new InvalidArgumentError(`invalid port: ${s}`);
    return Number(s);
  };
  if (raw === '') throw new InvalidArgumentError('empty string specified for ports');
  const dash = raw.indexOf('-');
  if (dash < 0) {
    const p = valid(raw);
    return [p, p];
  }
  const start = valid(raw.slice(0, dash));
  const end = valid(raw.slice(dash + 1));
  if (end < start) throw new InvalidArgumentError(`invalid range specified for port: ${raw}`);
  return [start, end];
}

/** docker's convertToStandardNotation: "published=8080,target=80,protocol=udp" → "8080:80/udp". */
function toStandardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const fields: Record<string, string> = {};
  for (const kv of spec.split(',')) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError(`invalid publish opts format (should be name=value but got '${kv}')`);
    fields[kv.slice(0, eq).toLowerCase()] = kv.slice(eq + 1);
  }
  if (fields['target'] === undefined) throw new InvalidArgumentError('missing mandatory field "target"');
  const proto = fields['protocol'] ?? 'tcp';
  return fields['published'] ? `${fields['published']}:${fields['target']}/${proto}` : `${fields['target']}/${proto}`;
}

export function parsePortSpecs(specs: readonly string[]): PortSpecs {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const raw of specs.map(toStandardNotation)) {
    let [ip, hostPort, containerPart] = splitParts(raw);
    const [protoRaw, containerPort] = splitProtoPort(containerPart);
    if (ip.startsWith('[')) {
      if (!ip.endsWith(']')) throw new InvalidArgumentError(`invalid IP address ${ip}: missing ']' in address`);
      ip = ip.slice(1, -1);
    }
    if (ip !== '' && isIP(ip) === 0) throw new InvalidArgumentError(`invalid IP address: ${ip}`);
    if (containerPort === '') throw new InvalidArgumentError(`no port specified: ${raw}<empty>`);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(containerPort);
    } catch {
      throw new InvalidArgumentError(`invalid containerPort: ${containerPort}`);
    }
    let hostStart = 0;
    let hostEnd = 0;
    if (hostPort !== '') {
      try {
        [hostStart, hostEnd] = parsePortRange(hostPort);
      } catch {
        throw new InvalidArgumentError(`invalid hostPort: ${hostPort}`);
      }
      if (end - start !== hostEnd - hostStart && end !== start) {
        throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
      }
    }
    const proto = protoRaw.toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidArgumentError(`invalid proto: ${proto}`);
    for (let i = 0; i <= end - start; i++) {
      const port = `${start + i}/${proto}`;
      let host = hostPort === '' ? '' : String(hostStart + i);
      // One container port with a host range: the daemon picks a free port in the range.
      if (start === end && hostStart !== hostEnd) host = `${host}-${hostEnd}`;
      exposed[port] = {};
      (bindings[port] ??= []).push({ HostIp: ip, HostPort: host });
    }
  }
  return { exposed, bindings };
}

/** --expose: "80", "80/udp", "8000-8002/tcp". */
export function parseExpose(values: readonly string[], into: Record<string, object>): void {
  for (const e of values) {
    if (e.includes(':')) throw new InvalidArgumentError(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let range: [number, number];
    try {
      range = parsePortRange(port);
    } catch (err) {
      throw new InvalidArgumentError(`invalid range format for --expose: ${e}, error: ${messageOf(err)}`);
    }
    for (let p = range[0]; p <= range[1]; p++) into[`${p}/${proto}`] ??= {};
  }
}
