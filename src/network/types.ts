// Records of the network module. Networks are stored one file each; endpoints belong to the
// container that has them and are kept in its state (written once the container runs), so
// IPAM rebuilds from the running containers alone.

export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface IpamConfigRecord {
  Subnet: string;
  Gateway?: string;
  IPRange?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkRecord {
  id: string;
  name: string;
  driver: NetworkDriver;
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipam: { driver: string; options: Record<string, string>; config: IpamConfigRecord[] };
  /** The Linux bridge of a bridge network. */
  bridge?: string;
  /** The predefined networks (bridge, host, none) cannot be removed. */
  predefined?: boolean;
}

/** What a container asked for on one network (NetworkingConfig.EndpointsConfig, network connect). */
export interface EndpointRequest {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
  Links?: string[] | null;
}

export interface EndpointState {
  networkId: string;
  networkName: string;
  endpointId: string;
  ifname: string;
  hostIf: string;
  mac: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  ip6?: string;
  prefixLen6?: number;
  gateway6?: string;
  aliases: string[];
  dnsNames: string[];
}

export interface PortMapping {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

/** A running container's network: its namespace, endpoints and published ports. */
export interface SandboxState {
  netns: string;
  endpoints: Record<string, EndpointState>;
  ports: PortMapping[];
  /** tc rates set on the endpoints (labels or berth flags). */
  rates?: { ingress?: string; egress?: string };
  /** The container's `--dns` servers: the embedded DNS forwards its queries there. */
  dns?: string[];
}

/** What starting a container asks of the network module. */
export interface SandboxRequest {
  containerId: string;
  containerName: string;
  hostname: string;
  /** network name → request; empty for host/none/container modes. */
  networks: Record<string, EndpointRequest>;
  ports: PortRequest[];
  rates?: { ingress?: string; egress?: string };
  dns?: string[];
}

/** One published port as asked: a host port range (0–0 for any free port). */
export interface PortRequest {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  hostPortFrom: number;
  hostPortTo: number;
}
