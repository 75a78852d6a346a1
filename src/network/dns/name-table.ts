// The pure half of the embedded DNS server: what one user-defined network's resolver knows.
// A NameTable lists the network's endpoints (one per container on the network) with the
// names they answer to (container name, network aliases, 12-hex short id) and their
// addresses. Lookups follow Docker's embedded DNS (libnetwork sandbox_dns_unix.go
// ResolveName / network.go ResolveIP):
// - names are case-insensitive, a trailing dot is ignored;
// - "name.<network>" resolves like "name" (Docker strips a trailing network name);
// - several endpoints with one name (a shared alias) answer with all their addresses;
// - a known name asked for a family it lacks is a "miss": NOERROR without answers;
// - PTR for an endpoint address answers "<primary name>.<network>".
import { isIPv4, isIPv6 } from 'node:net';
import { parseUpstream, type Upstream } from './upstream.ts';

export interface DnsEndpoint {
  /** names[0] is the primary name (the container name), used for reverse lookups. */
  readonly names: readonly string[];
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
  /**
   * The container's own resolvers (`--dns`): queries from its addresses that are not ours go
   * there instead of to the host's (Docker's embedded DNS uses them as its external servers).
   */
  readonly upstreams?: readonly string[] | undefined;
}

export interface NameTable {
  /** The network's name: "web.<network>" resolves, and PTR answers end with it. */
  readonly network?: string | undefined;
  readonly endpoints: readonly DnsEndpoint[];
  /**
   * Whether names not in the table go to the host's resolvers (default true). False for
   * internal networks: their containers must not reach outside, so those queries fail
   * (SERVFAIL), as Docker's resolver does when it cannot forward.
   */
  readonly forward?: boolean | undefined;
}

export type LookupResult =
  /** Addresses for the asked family, in table order. */
  | { kind: 'found'; addresses: string[] }
  /** The name exists but has no address of that family (answer NOERROR, no records). */
  | { kind: 'miss' }
  /** Not ours: forward. */
  | { kind: 'unknown' };

interface NameRecord { ipv4: string[]; ipv6: string[] }

/** An indexed NameTable; build once per setNames, query per packet. */
export class CompiledTable {
  readonly #names = new Map<string, NameRecord>();
  readonly #reverse = new Map<string, string>();
  readonly #network: string | undefined;
  readonly #upstreams = new Map<string, Upstream[]>();
  readonly forward: boolean;

  constructor(table: NameTable) {
    this.forward = table.forward !== false;
    this.#network = table.network === undefined || table.network === '' ? undefined : table.network.toLowerCase();
    for (const ep of table.endpoints) {
      const v4 = ep.ipv4 !== undefined && isIPv4(ep.ipv4) ? ep.ipv4 : undefined;
      const v6 = ep.ipv6 !== undefined && isIPv6(ep.ipv6) ? canonicalIPv6(ep.ipv6) : undefined;
      const seen = new Set<string>();
      for (const raw of ep.names) {
        const name = normalizeName(raw);
        if (name === '' || seen.has(name)) continue;
        seen.add(name);
        let rec = this.#names.get(name);
        if (!rec) this.#names.set(name, (rec = { ipv4: [], ipv6: [] }));
        if (v4 !== undefined && !rec.ipv4.includes(v4)) rec.ipv4.push(v4);
        if (v6 !== undefined && !rec.ipv6.includes(v6)) rec.ipv6.push(v6);
      }
      const ups = (ep.upstreams ?? []).map(parseUpstream).filter((u): u is Upstream => u !== null);
      if (ups.length > 0) {
        if (v4 !== undefined) this.#upstreams.set(v4, ups);
        if (v6 !== undefined) this.#upstreams.set(v6, ups);
      }
      const primary = ep.names[0];
      if (primary === undefined || primary === '') continue;
      const ptr = this.#network === undefined ? primary : `${primary}.${table.network}`;
      // The first endpoint claiming an address wins (Docker takes the first of its set).
      if (v4 !== undefined && !this.#reverse.has(reverseName(v4))) this.#reverse.set(reverseName(v4), ptr);
      if (v6 !== undefined && !this.#reverse.has(reverseName(v6))) this.#reverse.set(reverseName(v6), ptr);
    }
  }

  /** A or AAAA lookup. */
  lookup(qname: string, family: 4 | 6): LookupResult {
    const rec = this.#record(normalizeName(qname));
    if (!rec) return { kind: 'unknown' };
    const addresses = family === 4 ? rec.ipv4 : rec.ipv6;
    return addresses.length === 0 ? { kind: 'miss' } : { kind: 'found', addresses: [...addresses] };
  }

  /** The resolvers of the container at `client` (its `--dns`), if it has its own. */
  upstreamsFor(client: string): readonly Upstream[] | undefined {
    if (this.#upstreams.size === 0) return undefined;
    const ip = client.startsWith('::ffff:') && isIPv4(client.slice(7)) ? client.slice(7) : client;
    return this.#upstreams.get(isIPv6(ip) ? canonicalIPv6(ip) : ip);
  }

  /** Whether any record exists for the name (for other query types: still forwarded). */
  has(qname: string): boolean {
    return this.#record(normalizeName(qname)) !== undefined;
  }

  /** PTR lookup of an in-addr.arpa / ip6.arpa name; null when the address is not ours. */
  reverse(qname: string): string | null {
    return this.#reverse.get(normalizeName(qname)) ?? null;
  }

  #record(name: string): NameRecord | undefined {
    const direct = this.#names.get(name);
    if (direct) return direct;
    const net = this.#network;
    if (net !== undefined && name.endsWith(`.${net}`)) return this.#names.get(name.slice(0, -net.length - 1));
    return undefined;
  }
}

/** Lower case, no trailing dot. */
export function normalizeName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase();
}

function canonicalIPv6(ip: string): string {
  return expandIPv6(ip).join(':').replace(/\b0+(?=[0-9a-f])/g, '');
}

/** The eight 4-hex-digit groups of an IPv6 address (with an embedded IPv4 tail handled). */
export function expandIPv6(ip: string): string[] {
  let s = ip.toLowerCase().split('%')[0] ?? '';
  const v4tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4tail) {
    const [a, b, c, d] = v4tail.slice(1).map(Number) as [number, number, number, number];
    s = s.slice(0, v4tail.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => g.padStart(4, '0'));
}

/** The PTR query name of an address: 4.3.2.1.in-addr.arpa, or the 32 nibbles .ip6.arpa. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const nibbles = expandIPv6(ip).join('').split('').reverse();
  return `${nibbles.join('.')}.ip6.arpa`;
}
