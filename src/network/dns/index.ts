// network/dns: the embedded DNS server of user-defined networks (Docker's embedded DNS):
// per-network name tables (container names, aliases, short ids → addresses, and PTR for
// those addresses) served on each network's gateway address over UDP and TCP, with all
// other queries forwarded to the host's resolvers. Vocabulary: name table, endpoint,
// upstream, forward.
export { EmbeddedDns, type EmbeddedDnsOptions } from './embedded-dns.ts';
export { CompiledTable, reverseName, type DnsEndpoint, type LookupResult, type NameTable } from './name-table.ts';
export { nameserversFromResolvConf, parseUpstream, type Upstream } from './upstream.ts';
