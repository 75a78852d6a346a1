// Network endpoints: list (filters), inspect, create, remove, prune, connect, disconnect.
// The shapes are Docker's (moby api/types/network); only the fields the CLI reads are
// typed, and inspect keeps the raw JSON for `network inspect`.
import { encodeFilters, type Filters } from './filters.ts';
import type { WithRaw } from './containers.ts';
import type { Transport } from './transport.ts';

export interface NetworkIpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkIpam {
  Driver: string;
  Options: Record<string, string> | null;
  Config: NetworkIpamConfig[] | null;
}

export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** GET /networks and GET /networks/{id} (network.Summary / network.Inspect). */
export interface NetworkSummary {
  Name: string;
  Id: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  IPAM: NetworkIpam;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly?: boolean;
  Containers?: Record<string, NetworkContainer>;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
}

/** POST /networks/create (network.CreateRequest; docker 28 sends the fields in this order). */
export interface NetworkCreateRequest {
  Driver: string;
  Scope: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM: NetworkIpam;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly: boolean;
  ConfigFrom: { Network: string } | null;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  Name: string;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning?: string;
}

export interface EndpointIpamConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** network.EndpointSettings as docker's CLI sends it for `network connect`. */
export interface EndpointSettings {
  IPAMConfig: EndpointIpamConfig | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

export interface NetworksPruneReport {
  NetworksDeleted: string[] | null;
}

export interface NetworksApi {
  list(opts?: { filters?: Filters }): Promise<NetworkSummary[]>;
  inspect(id: string, opts?: { verbose?: boolean; scope?: string }): Promise<WithRaw<NetworkSummary>>;
  create(body: NetworkCreateRequest): Promise<NetworkCreateResponse>;
  remove(id: string): Promise<void>;
  prune(opts?: { filters?: Filters }): Promise<NetworksPruneReport>;
  connect(id: string, container: string, endpoint: EndpointSettings | null): Promise<void>;
  disconnect(id: string, container: string, force?: boolean): Promise<void>;
}

const enc = encodeURIComponent;

export class NetworksClient implements NetworksApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  list(opts: { filters?: Filters } = {}): Promise<NetworkSummary[]> {
    return this.#t.json({ method: 'GET', path: '/networks', query: { filters: encodeFilters(opts.filters) } });
  }

  async inspect(id: string, opts: { verbose?: boolean; scope?: string } = {}): Promise<WithRaw<NetworkSummary>> {
    const raw = await this.#t.text({
      method: 'GET',
      path: `/networks/${enc(id)}`,
      query: { verbose: opts.verbose ? true : undefined, scope: opts.scope || undefined },
    });
    return { value: JSON.parse(raw) as NetworkSummary, raw };
  }

  create(body: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return this.#t.json({ method: 'POST', path: '/networks/create', body });
  }

  remove(id: string): Promise<void> {
    return this.#t.discard({ method: 'DELETE', path: `/networks/${enc(id)}` });
  }

  prune(opts: { filters?: Filters } = {}): Promise<NetworksPruneReport> {
    return this.#t.json({ method: 'POST', path: '/networks/prune', query: { filters: encodeFilters(opts.filters) } });
  }

  connect(id: string, container: string, endpoint: EndpointSettings | null): Promise<void> {
    return this.#t.discard({
      method: 'POST', path: `/networks/${enc(id)}/connect`, body: { Container: container, EndpointConfig: endpoint },
    });
  }

  disconnect(id: string, container: string, force = false): Promise<void> {
    return this.#t.discard({
      method: 'POST', path: `/networks/${enc(id)}/disconnect`, body: { Container: container, Force: force },
    });
  }
}
