// Docker's JSON for networks (GET /networks, /networks/{id}) and its list filters (pure).
import { InvalidArgumentError } from '../lib/index.ts';
import type { EndpointState, NetworkRecord } from './types.ts';

export interface AttachedEndpoint { containerId: string; name: string; ep: EndpointState }

export function networkView(n: NetworkRecord, attached: AttachedEndpoint[]): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const a of attached) {
    containers[a.containerId] = {
      Name: a.name, EndpointID: a.ep.endpointId, MacAddress: a.ep.mac,
      IPv4Address: `${a.ep.ip}/${a.ep.prefixLen}`, IPv6Address: a.ep.ip6 ? `${a.ep.ip6}/${a.ep.prefixLen6}` : '',
    };
  }
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'local', Driver: n.driver, EnableIPv4: true, EnableIPv6: n.enableIPv6,
    IPAM: {
      Driver: n.ipam.driver, Options: Object.keys(n.ipam.options).length ? n.ipam.options : null,
      Config: n.ipam.config.map((c) => ({ Subnet: c.Subnet, ...(c.IPRange ? { IPRange: c.IPRange } : {}), ...(c.Gateway ? { Gateway: c.Gateway } : {}), ...(c.AuxiliaryAddresses ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}) })),
    },
    Internal: n.internal, Attachable: n.attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: n.options, Labels: n.labels,
  };
}

const FILTERS = new Set(['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling']);

/** GET /networks filters: driver, id (prefix), label (key or key=value), name (substring), scope, type, dangling. */
export function matchesNetworkFilters(n: NetworkRecord, inUse: boolean, filters: Record<string, string[]>): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (!FILTERS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
    if (values.length === 0) continue;
    const any = (pred: (v: string) => boolean): boolean => values.some(pred);
    switch (key) {
      case 'driver': if (!any((v) => v === n.driver)) return false; break;
      case 'id': if (!any((v) => n.id.startsWith(v))) return false; break;
      case 'name': if (!any((v) => n.name.includes(v))) return false; break;
      case 'scope': if (!any((v) => v === 'local')) return false; break;
      case 'type':
        for (const v of values) if (v !== 'custom' && v !== 'builtin') throw new InvalidArgumentError(`invalid filter: 'type'='${v}'`);
        if (!any((v) => (v === 'builtin') === (n.predefined === true))) return false;
        break;
      case 'label':
        if (!values.every((v) => {
          const eq = v.indexOf('=');
          return eq < 0 ? v in n.labels : n.labels[v.slice(0, eq)] === v.slice(eq + 1);
        })) return false;
        break;
      case 'dangling': {
        const want = values.map((v) => v.toLowerCase());
        for (const v of want) if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgumentError(`invalid filter 'dangling=${v}'`);
        const dangling = !inUse && n.predefined !== true;
        if (!want.some((v) => (v === 'true' || v === '1') === dangling)) return false;
        break;
      }
    }
  }
  return true;
}
