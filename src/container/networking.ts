// The container's side of networking: which networks it joins (create), its sandbox at start
// and teardown at exit, live connect/disconnect, and the NetworkSettings views. The network
// module does the work; this file only maps container records onto it.
import { existsSync } from 'node:fs';
import { ConflictError, ForbiddenError, InvalidArgumentError } from '../lib/index.ts';
import type { ContainerCreateRequest, HostConfig } from '../api/types/index.ts';
import { parseRate, portRequests, type EndpointRequest, type SandboxState } from '../network/index.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './record.ts';

/** Labels that set bandwidth limits from any Docker client (berth's --ingress-rate/--egress-rate set them too). */
export const RATE_LABELS = { ingress: 'io.berth.network.ingress-rate', egress: 'io.berth.network.egress-rate' } as const;

export type NetKind = 'host' | 'none' | 'container' | 'bridge';

export function netKind(mode: string | undefined): NetKind {
  const m = mode ?? '';
  if (m === 'host') return 'host';
  if (m === 'none') return 'none';
  if (m.startsWith('container:')) return 'container';
  return 'bridge';
}

/** At create: validates the network mode, endpoints, ports and rates; returns the networks to join. */
export function requestedNetworks(ctx: ContainerContext, h: HostConfig, req: ContainerCreateRequest, labels: Record<string, string>, warnings: string[]): Record<string, EndpointRequest> {
  const mode = h.NetworkMode || 'default';
  const kind = netKind(mode);
  const eps = (req.NetworkingConfig?.EndpointsConfig ?? {}) as Record<string, EndpointRequest | null>;
  for (const r of Object.values(RATE_LABELS)) if (labels[r] !== undefined) parseRate(labels[r]!);
  if (kind === 'container') {
    // The target is looked up at start (a 404 here would make the docker CLI pull the image).
    if (h.PortBindings && Object.keys(h.PortBindings).length) throw new InvalidArgumentError('conflicting options: port publishing and the container type network mode');
    if (h.Dns?.length || h.ExtraHosts?.length) throw new InvalidArgumentError('conflicting options: dns and the network mode');
    return {};
  }
  if (kind !== 'bridge') {
    if (h.PortBindings && Object.keys(h.PortBindings).length && kind === 'host') warnings.push('Published ports are discarded when using host network mode');
    const others = Object.keys(eps).filter((k) => k !== mode);
    if (others.length) throw new ForbiddenError(`container cannot be disconnected from host network or connected to host network`);
    return {};
  }
  // A network that does not exist fails the start, as with dockerd: a 404 from create makes
  // the docker CLI try to pull the image.
  const n = ctx.network.find(mode === 'default' ? 'bridge' : mode);
  if (!n) return { [mode]: cleanEndpoint(eps[mode] ?? {}) };
  if (n.driver === 'host' || n.driver === 'null') return {};
  portRequests({ PortBindings: h.PortBindings ?? null, PublishAllPorts: h.PublishAllPorts ?? false, ExposedPorts: req.ExposedPorts ?? null });
  const out: Record<string, EndpointRequest> = {};
  const primary = { ...(eps[mode] ?? eps[n.name] ?? eps[n.id] ?? {}) };
  if (req.MacAddress && !primary.MacAddress) primary.MacAddress = req.MacAddress;
  ctx.network.validateEndpoint(n, primary);
  out[n.name] = cleanEndpoint(primary);
  for (const [key, ep] of Object.entries(eps)) {
    if (key === mode || key === n.name || key === n.id) continue;
    const other = ctx.network.get(key);
    if (other.driver !== 'bridge') throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    ctx.network.validateEndpoint(other, ep ?? {});
    out[other.name] = cleanEndpoint(ep ?? {});
  }
  return out;
}

function cleanEndpoint(ep: EndpointRequest): EndpointRequest {
  const out: EndpointRequest = {};
  const v4 = ep.IPAMConfig?.IPv4Address;
  const v6 = ep.IPAMConfig?.IPv6Address;
  if (v4 || v6) out.IPAMConfig = { ...(v4 ? { IPv4Address: v4 } : {}), ...(v6 ? { IPv6Address: v6 } : {}) };
  if (ep.Aliases?.length) out.Aliases = [...ep.Aliases];
  if (ep.MacAddress) out.MacAddress = ep.MacAddress;
  return out;
}

export interface NetworkSetup {
  /** For the spec: "host", "private", or a namespace path. */
  netns: string;
  sandbox: SandboxState | null;
  /** The container whose hostname and /etc files this one shares (container:<id> mode). */
  shareFrom: Container | null;
  /** This container's addresses, for /etc/hosts. */
  addresses: string[];
  /** The embedded DNS address when the container is on a user-defined network. */
  nameserver: string | null;
}

/** At start, before the runtime creates the container. */
export async function setUpNetwork(ctx: ContainerContext, c: Container, hostname: string): Promise<NetworkSetup> {
  const h = c.config.hostConfig;
  const kind = netKind(h.NetworkMode);
  const none: NetworkSetup = { netns: 'private', sandbox: null, shareFrom: null, addresses: [], nameserver: null };
  if (kind === 'host') return { ...none, netns: 'host' };
  if (kind === 'none') return none;
  if (kind === 'container') {
    const target = ctx.store.get(h.NetworkMode!.slice('container:'.length));
    if (target.state.status !== 'running' && target.state.status !== 'paused') {
      throw new ConflictError(`cannot join network namespace of a non running container: ${target.config.id}`);
    }
    const path = target.state.sandbox ? ctx.network.netnsPath(target.config.id) : netKind(target.config.hostConfig.NetworkMode) === 'host' ? 'host' : `/proc/${target.state.pid}/ns/net`;
    return { ...none, netns: path, shareFrom: target };
  }
  const networks = networksOf(c);
  const labels = c.config.config.Labels ?? {};
  const rates = { ...(labels[RATE_LABELS.ingress] ? { ingress: labels[RATE_LABELS.ingress] } : {}), ...(labels[RATE_LABELS.egress] ? { egress: labels[RATE_LABELS.egress] } : {}) };
  const sandbox = await ctx.network.createSandbox({
    containerId: c.config.id, containerName: c.state.name, hostname, networks,
    ports: portRequests({ PortBindings: h.PortBindings ?? null, PublishAllPorts: h.PublishAllPorts ?? false, ExposedPorts: c.config.config.ExposedPorts ?? null }),
    ...(rates.ingress || rates.egress ? { rates } : {}),
    ...(h.Dns?.length ? { dns: h.Dns } : {}),
  });
  const eps = Object.values(sandbox.endpoints);
  const userNet = eps.find((e) => !ctx.network.get(e.networkId).predefined);
  return {
    netns: ctx.network.netnsPath(c.config.id), sandbox, shareFrom: null,
    addresses: eps.flatMap((e) => [e.ip, ...(e.ip6 ? [e.ip6] : [])]),
    nameserver: userNet ? userNet.gateway : null,
  };
}

/** The networks a container is configured for (records from before networking: the default bridge). */
export function networksOf(c: Container): Record<string, EndpointRequest> {
  if (c.state.networks) return c.state.networks;
  return netKind(c.config.hostConfig.NetworkMode) === 'bridge' ? { bridge: {} } : {};
}

/** At exit (and at reconcile for a container that died while berthd was down): release the sandbox. */
export function tearDownNetwork(ctx: ContainerContext, c: Container): void {
  const s = c.state.sandbox;
  c.state.sandbox = null;
  if (s) void ctx.network.releaseSandbox(c.config.id, s);
  else if (existsSync(ctx.network.netnsPath(c.config.id))) void ctx.network.releaseSandbox(c.config.id);
}

/** POST /networks/{id}/connect. */
export async function connectContainer(ctx: ContainerContext, netRef: string, ref: string, ep: EndpointRequest | null | undefined): Promise<void> {
  const n = ctx.network.get(netRef);
  const c = ctx.store.get(ref);
  await ctx.lock(c.config.id, async () => {
    const kind = netKind(c.config.hostConfig.NetworkMode);
    if (kind === 'host' || n.driver === 'host') throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    if (kind === 'none' || n.driver === 'null') throw new ForbiddenError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
    if (kind === 'container') throw new ForbiddenError('conflicting options: container type network can\'t be used with other networks');
    const nets = { ...networksOf(c) };
    if (nets[n.name]) throw new ForbiddenError(`endpoint with name ${c.state.name} already exists in network ${n.name}`);
    const req = cleanEndpoint(ep ?? {});
    ctx.network.validateEndpoint(n, req);
    if (c.state.status === 'running' || c.state.status === 'paused') {
      c.state.sandbox = await ctx.network.connectLive(c.config.id, n, req);
    }
    nets[n.name] = req;
    c.state.networks = nets;
    await ctx.store.saveState(c);
  });
}

/** POST /networks/{id}/disconnect. */
export async function disconnectContainer(ctx: ContainerContext, netRef: string, ref: string, force: boolean): Promise<void> {
  const n = ctx.network.get(netRef);
  const c = ctx.store.get(ref);
  await ctx.lock(c.config.id, async () => {
    const nets = { ...networksOf(c) };
    if (!nets[n.name]) {
      if (force) return;
      throw new ForbiddenError(`container ${c.config.id} is not connected to network ${n.name}`);
    }
    if ((c.state.status === 'running' || c.state.status === 'paused') && c.state.sandbox?.endpoints[n.name]) {
      c.state.sandbox = await ctx.network.disconnectLive(c.config.id, n);
    }
    delete nets[n.name];
    c.state.networks = nets;
    await ctx.store.saveState(c);
  });
}

/** NetworkSettings of container inspect (Docker's shape). */
export function networkSettings(ctx: ContainerContext, c: Container): Record<string, unknown> {
  const running = c.state.status === 'running' || c.state.status === 'paused';
  const s = running ? c.state.sandbox : null;
  const networks: Record<string, unknown> = {};
  const kind = netKind(c.config.hostConfig.NetworkMode);
  const configured = kind === 'bridge' ? networksOf(c) : kind === 'container' ? {} : { [kind === 'host' ? 'host' : 'none']: {} };
  for (const [name, req] of Object.entries(configured)) {
    const ep = s?.endpoints[name];
    const net = ctx.network.find(name);
    networks[name] = {
      IPAMConfig: req.IPAMConfig ?? null, Links: null, Aliases: req.Aliases ?? null, MacAddress: ep?.mac ?? '', DriverOpts: null, GwPriority: 0,
      NetworkID: net?.id ?? '', EndpointID: ep?.endpointId ?? '', Gateway: ep?.gateway ?? '', IPAddress: ep?.ip ?? '', IPPrefixLen: ep?.prefixLen ?? 0,
      IPv6Gateway: ep?.gateway6 ?? '', GlobalIPv6Address: ep?.ip6 ?? '', GlobalIPv6PrefixLen: ep?.prefixLen6 ?? 0,
      DNSNames: ep && ep.dnsNames.length ? ep.dnsNames : null,
    };
  }
  const bridgeEp = s?.endpoints['bridge'];
  return {
    Bridge: '', SandboxID: s ? ctx.network.netnsName(c.config.id) : '', HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
    Ports: running ? portsView(c, s) : {}, SandboxKey: s ? ctx.network.netnsPath(c.config.id) : '',
    SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: bridgeEp?.endpointId ?? '',
    Gateway: bridgeEp?.gateway ?? '', GlobalIPv6Address: bridgeEp?.ip6 ?? '', GlobalIPv6PrefixLen: bridgeEp?.prefixLen6 ?? 0,
    IPAddress: bridgeEp?.ip ?? '', IPPrefixLen: bridgeEp?.prefixLen ?? 0, IPv6Gateway: bridgeEp?.gateway6 ?? '', MacAddress: bridgeEp?.mac ?? '',
    Networks: networks,
  };
}

/** NetworkSettings.Ports: every exposed port, with its host bindings or null. */
function portsView(c: Container, s: SandboxState | null | undefined): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of Object.keys(c.config.config.ExposedPorts ?? {})) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const p of s?.ports ?? []) {
    const key = `${p.containerPort}/${p.proto}`;
    const list = out[key] ?? [];
    const has6 = Object.values(s!.endpoints)[0]?.ip6;
    list.push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    if (!p.hostIp && has6) list.push({ HostIp: '::', HostPort: String(p.hostPort) });
    out[key] = list;
  }
  return out;
}

/** The Ports field of GET /containers/json. */
export function portsList(c: Container): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const running = c.state.status === 'running' || c.state.status === 'paused';
  const s = running ? c.state.sandbox : null;
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const published = new Set<string>();
  for (const p of s?.ports ?? []) {
    out.push({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
    published.add(`${p.containerPort}/${p.proto}`);
  }
  for (const key of Object.keys(c.config.config.ExposedPorts ?? {})) {
    const [port = '', proto = 'tcp'] = key.split('/');
    if (!published.has(`${port}/${proto}`)) out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}
