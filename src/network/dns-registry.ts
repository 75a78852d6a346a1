// The embedded DNS of user-defined networks, per network: the server listens on the bridge's
// gateway address (port 53, UDP and TCP) and answers from the network's name table.
import type { Logger } from '../lib/index.ts';
import { EmbeddedDns, type DnsEndpoint } from './dns/index.ts';

export interface NetworkNames {
  gateway: string | null;
  networkName: string;
  internal: boolean;
  endpoints: DnsEndpoint[];
}

/** What NetworkService needs of the DNS: names per network, and an end to them. */
export interface DnsRegistry {
  serve(networkId: string, names: NetworkNames): Promise<void>;
  stop(networkId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export class EmbeddedDnsRegistry implements DnsRegistry {
  readonly #dns: EmbeddedDns;
  readonly #listening = new Map<string, string>();

  constructor(upstreams: string[], private readonly log: Logger, private readonly port = 53) {
    this.#dns = new EmbeddedDns({ upstreams, log });
  }

  async serve(networkId: string, n: NetworkNames): Promise<void> {
    if (!n.gateway) return;
    const was = this.#listening.get(networkId);
    if (was && was !== n.gateway) await this.stop(networkId);
    this.#dns.setNames(n.gateway, { network: n.networkName, forward: !n.internal, endpoints: n.endpoints });
    if (!this.#listening.has(networkId)) {
      await this.#dns.listen(n.gateway, this.port);
      this.#listening.set(networkId, n.gateway);
      this.log.debug({ network: n.networkName, address: n.gateway }, 'embedded DNS listening');
    }
  }

  async stop(networkId: string): Promise<void> {
    const addr = this.#listening.get(networkId);
    if (!addr) return;
    this.#listening.delete(networkId);
    await this.#dns.close(addr);
  }

  async closeAll(): Promise<void> {
    this.#listening.clear();
    await this.#dns.closeAll();
  }
}
