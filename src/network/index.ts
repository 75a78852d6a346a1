// The network module: bridge networks with IPAM, container sandboxes (namespace, veths,
// addresses, published ports, bandwidth limits), berth's nftables table and the embedded DNS.
export { NetworkService, type NetworkOptions, type CreateNetworkRequest } from './network-service.ts';
export { EmbeddedDnsRegistry, type DnsRegistry, type NetworkNames } from './dns-registry.ts';
export { nameserversFromResolvConf } from './dns/index.ts';
export { NetworkStore } from './network-store.ts';
export { NetShell, NetShellPool } from './net-shell.ts';
export { Nft } from './nft.ts';
export { Firewall } from './firewall.ts';
export { portRequests, parsePortKey, type PortBindingInput } from './port-bindings.ts';
export { parseRate } from './net-plan.ts';
export type { NetworkRecord, EndpointRequest, EndpointState, SandboxState, SandboxRequest, PortMapping, PortRequest } from './types.ts';
