// Networks and container sandboxes. Bridges are set up when a network is created and at
// daemon start; a container's namespace, veths, addresses, published ports and DNS names
// when it starts, and torn down when it stops. The firewall and IPAM are derived from the
// networks and the running containers' sandboxes, never stored on their own.
import { createHash, randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { readdir } from 'node:fs/promises';
import {
  AlreadyExistsError, ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, newId, untilCutoff, type Logger,
} from '../lib/index.ts';
import type { EventBus } from '../events/index.ts';
import { contains, formatCidr, formatIp, macFor, overlaps, parseCidr, parseIp, type Cidr } from './cidr.ts';
import { AddressPool } from './ipam.ts';
import { bridgeDownScript, bridgeUpScript, checkIfname, endpointDownScript, endpointUpScript, sandboxDownScript, sandboxUpScript, type EndpointPlan } from './net-plan.ts';
import type { NetShell, NetShellPool } from './net-shell.ts';
import type { Firewall } from './firewall.ts';
import type { FwState } from './nft-ruleset.ts';
import type { NetworkStore } from './network-store.ts';
import type { DnsRegistry } from './dns-registry.ts';
import { PortReserver } from './port-reserver.ts';
import { matchesNetworkFilters, networkView } from './network-views.ts';
import type { EndpointRequest, EndpointState, IpamConfigRecord, NetworkRecord, PortMapping, SandboxRequest, SandboxState } from './types.ts';

export interface NetworkOptions {
  /** The default bridge's address with prefix (--bip). */
  bip: string;
  /** The default bridge's Linux name (-b/--bridge). */
  bridgeName: string;
  /** Where subnets of new networks come from when none is given. */
  addressPools: { base: string; size: number }[];
  mtu?: number;
  /** The daemon's data root: names its network namespaces apart from another berthd's. */
  dataRoot: string;
}


export interface CreateNetworkRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }[] | null; Options?: Record<string, string> | null } | null;
  CheckDuplicate?: boolean;
}

const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
const ICC_OPT = 'com.docker.network.bridge.enable_icc';
const MASQ_OPT = 'com.docker.network.bridge.enable_ip_masquerade';
const MTU_OPT = 'com.docker.network.driver.mtu';
const HOST_BINDING_OPT = 'com.docker.network.bridge.host_binding_ipv4';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

interface Live {
  containerName: string;
  hostname: string;
  sandbox: SandboxState;
}

export class NetworkService {
  readonly #networks = new Map<string, NetworkRecord>();
  readonly #pools = new Map<string, AddressPool[]>();
  readonly #live = new Map<string, Live>();
  readonly #ports = new PortReserver();
  /** Teardowns in progress, by container: a new start of the same container waits for its own. */
  readonly #teardowns = new Map<string, Promise<void>>();
  readonly #netnsPrefix: string;

  constructor(
    private readonly store: NetworkStore,
    private readonly shell: NetShell | NetShellPool,
    private readonly firewall: Firewall,
    private readonly events: EventBus,
    private readonly dns: DnsRegistry,
    private readonly options: NetworkOptions,
    private readonly log: Logger,
  ) {
    this.#netnsPrefix = `berth-${createHash('sha256').update(options.dataRoot).digest('hex').slice(0, 6)}-`;
  }

  /** The firewall's view: bridges of the networks and the ports of running containers. */
  firewallState(): FwState {
    const networks = [...this.#networks.values()].filter((n) => n.driver === 'bridge' && n.bridge).map((n) => ({
      bridge: n.bridge!, subnets: n.ipam.config.map((c) => c.Subnet), internal: n.internal,
      masquerade: n.options[MASQ_OPT] !== 'false', icc: n.options[ICC_OPT] !== 'false',
    }));
    const ports: FwState['ports'] = [];
    for (const l of this.#live.values()) {
      const ep = Object.values(l.sandbox.endpoints)[0];
      if (!ep) continue;
      for (const p of l.sandbox.ports) {
        const fam = p.hostIp.includes(':') ? 6 : 4;
        if (p.hostIp === '' || fam === 4) ports.push({ ...p, family: 4, containerIp: ep.ip });
        if (ep.ip6 && (p.hostIp === '' || fam === 6)) ports.push({ ...p, family: 6, containerIp: ep.ip6 });
      }
    }
    return { networks, ports };
  }

  /** Loads the networks, makes the predefined ones, brings the bridges up, applies the firewall. */
  async init(): Promise<void> {
    for (const n of await this.store.loadAll()) this.#networks.set(n.id, n);
    await this.#ensurePredefined();
    for (const n of this.#networks.values()) {
      if (n.driver !== 'bridge') continue;
      this.#pools.set(n.id, poolsFor(n));
      await this.shell.run(bridgeUpScript(bridgePlan(n)));
    }
    await this.firewall.sync();
    this.firewall.watch();
  }

  async #ensurePredefined(): Promise<void> {
    const byName = (name: string): NetworkRecord | undefined => [...this.#networks.values()].find((n) => n.name === name);
    const bip = parseCidr(this.options.bip);
    const gw = this.options.bip.slice(0, this.options.bip.indexOf('/'));
    const existing = byName('bridge');
    const wantConfig: IpamConfigRecord = { Subnet: formatCidr(bip), Gateway: formatIp(bip.family, parseIp(gw).value) };
    if (!existing || existing.bridge !== this.options.bridgeName || existing.ipam.config[0]?.Subnet !== wantConfig.Subnet || existing.ipam.config[0]?.Gateway !== wantConfig.Gateway) {
      const rec: NetworkRecord = {
        id: existing?.id ?? newId(), name: 'bridge', driver: 'bridge', created: existing?.created ?? new Date().toISOString(),
        internal: false, attachable: false, enableIPv6: false, labels: {}, predefined: true, bridge: this.options.bridgeName,
        options: {
          [BRIDGE_NAME_OPT]: this.options.bridgeName, 'com.docker.network.bridge.default_bridge': 'true', [ICC_OPT]: 'true',
          [MASQ_OPT]: 'true', [HOST_BINDING_OPT]: '0.0.0.0', [MTU_OPT]: String(this.options.mtu ?? 1500),
        },
        ipam: { driver: 'default', options: {}, config: [wantConfig] },
      };
      if (existing && existing.bridge && existing.bridge !== rec.bridge) await this.shell.run(bridgeDownScript(existing.bridge)).catch(() => undefined);
      this.#networks.set(rec.id, rec);
      await this.store.save(rec);
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (byName(name)) continue;
      const rec: NetworkRecord = {
        id: newId(), name, driver, created: new Date().toISOString(), internal: false, attachable: false, enableIPv6: false,
        labels: {}, options: {}, predefined: true, ipam: { driver: 'default', options: {}, config: [] },
      };
      this.#networks.set(rec.id, rec);
      await this.store.save(rec);
    }
  }

  /** The default bridge's gateway (what --add-host x:host-gateway names). */
  defaultGateway(): string {
    const b = [...this.#networks.values()].find((n) => n.name === 'bridge');
    return b?.ipam.config[0]?.Gateway ?? '';
  }

  // ---- networks ------------------------------------------------------------------------

  list(): NetworkRecord[] {
    return [...this.#networks.values()];
  }

  /** By full id, name, or id prefix (Docker's order). */
  get(ref: string): NetworkRecord {
    const n = this.find(ref);
    if (!n) throw new NotFoundError(`network ${ref} not found`);
    return n;
  }

  find(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const byId = this.#networks.get(ref);
    if (byId) return byId;
    const all = [...this.#networks.values()];
    const byName = all.find((n) => n.name === ref);
    if (byName) return byName;
    const byPrefix = /^[0-9a-f]+$/.test(ref) ? all.filter((n) => n.id.startsWith(ref)) : [];
    if (byPrefix.length > 1) throw new InvalidArgumentError(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    return byPrefix[0];
  }

  /** Containers on a network: their endpoints (for inspect's Containers). */
  endpointsOf(networkId: string): { containerId: string; name: string; ep: EndpointState }[] {
    const out: { containerId: string; name: string; ep: EndpointState }[] = [];
    for (const [cid, l] of this.#live) {
      for (const ep of Object.values(l.sandbox.endpoints)) if (ep.networkId === networkId) out.push({ containerId: cid, name: l.containerName, ep });
    }
    return out;
  }

  listView(filters: Record<string, string[]>, inUse: (networkName: string) => boolean): Record<string, unknown>[] {
    return this.list().filter((n) => matchesNetworkFilters(n, inUse(n.name) || this.endpointsOf(n.id).length > 0, filters))
      .map((n) => networkView(n, this.endpointsOf(n.id)));
  }

  inspectView(ref: string): Record<string, unknown> {
    const n = this.get(ref);
    return networkView(n, this.endpointsOf(n.id));
  }

  /** Removes the user-defined networks no container is configured for (matching the filters). */
  async prune(filters: Record<string, string[]>, inUse: (networkName: string) => boolean): Promise<string[]> {
    const until = filters['until'];
    const rest = { ...filters };
    delete rest['until'];
    const cutoff = until?.length ? untilCutoff(until[0]!) : Infinity;
    const deleted: string[] = [];
    for (const n of this.list()) {
      if (n.predefined || inUse(n.name) || this.endpointsOf(n.id).length) continue;
      if (!matchesNetworkFilters(n, false, rest) || Date.parse(n.created) >= cutoff) continue;
      await this.remove(n.id);
      deleted.push(n.name);
    }
    return deleted;
  }

  async create(req: CreateNetworkRequest): Promise<{ Id: string; Warning: string }> {
    const name = req.Name ?? '';
    if (!name) throw new InvalidArgumentError('network name cannot be empty');
    if (!NAME_RE.test(name)) throw new InvalidArgumentError(`invalid network name "${name}": must match ${NAME_RE.source}`);
    if ([...this.#networks.values()].some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw new NotFoundError(`plugin "${driver}" not found`);
    const options = { ...(req.Options ?? {}) };
    const id = newId();
    const bridge = options[BRIDGE_NAME_OPT] ? checkIfname(options[BRIDGE_NAME_OPT], 'bridge name') : `brth-${id.slice(0, 10)}`;
    if ([...this.#networks.values()].some((n) => n.bridge === bridge) || networkInterfaces()[bridge]) {
      throw new ConflictError(`bridge name ${bridge} is already in use`);
    }
    for (const k of [ICC_OPT, MASQ_OPT]) if (options[k] !== undefined && !['true', 'false'].includes(options[k]!)) throw new InvalidArgumentError(`invalid value for ${k}: ${options[k]}`);
    if (options[MTU_OPT] !== undefined && !/^\d+$/.test(options[MTU_OPT]!)) throw new InvalidArgumentError(`invalid MTU ${options[MTU_OPT]}`);
    if ((req.IPAM?.Driver ?? 'default') !== 'default') throw new NotFoundError(`plugin "${req.IPAM!.Driver}" not found`);

    const config = this.#ipamConfig(req);
    const rec: NetworkRecord = {
      id, name, driver: 'bridge', created: new Date().toISOString(), internal: req.Internal === true, attachable: req.Attachable === true,
      enableIPv6: req.EnableIPv6 === true || config.some((c) => c.Subnet.includes(':')), labels: { ...(req.Labels ?? {}) },
      options, bridge, ipam: { driver: 'default', options: { ...(req.IPAM?.Options ?? {}) }, config },
    };
    const pools = poolsFor(rec);
    await this.shell.run(bridgeUpScript(bridgePlan(rec)));
    try {
      await this.store.save(rec);
      this.#networks.set(id, rec);
      this.#pools.set(id, pools);
      await this.firewall.sync();
    } catch (err) {
      this.#networks.delete(id);
      this.#pools.delete(id);
      await this.store.remove(id).catch(() => undefined);
      await this.shell.run(bridgeDownScript(bridge)).catch(() => undefined);
      throw err;
    }
    this.events.publish('network', 'create', id, { name, type: 'bridge' });
    return { Id: id, Warning: '' };
  }

  /** Validates the requested subnets (or picks a free one) — nothing is changed here. */
  #ipamConfig(req: CreateNetworkRequest): IpamConfigRecord[] {
    const taken = [...this.#networks.values()].flatMap((n) => n.ipam.config.map((c) => parseCidr(c.Subnet)));
    const hostNets = hostSubnets();
    const out: IpamConfigRecord[] = [];
    for (const c of req.IPAM?.Config ?? []) {
      if (!c.Subnet) throw new InvalidArgumentError('invalid pool request: a subnet is required when a gateway or an IP range is given');
      const subnet = parseCidr(c.Subnet);
      if ([...taken, ...out.map((o) => parseCidr(o.Subnet))].some((t) => overlaps(t, subnet))) {
        throw new ForbiddenError('invalid pool request: Pool overlaps with other one on this address space');
      }
      const rec: IpamConfigRecord = { Subnet: formatCidr(subnet) };
      if (c.IPRange) {
        const r = parseCidr(c.IPRange);
        if (r.family !== subnet.family || r.prefix < subnet.prefix || !contains(subnet, r.family, r.base)) throw new InvalidArgumentError(`invalid ip-range ${c.IPRange}: it must be inside subnet ${rec.Subnet}`);
        rec.IPRange = formatCidr(r);
      }
      const gw = c.Gateway ? parseIp(c.Gateway) : { family: subnet.family, value: subnet.base + 1n };
      if (!contains(subnet, gw.family, gw.value)) throw new InvalidArgumentError(`no matching subnet for gateway ${c.Gateway}`);
      rec.Gateway = formatIp(gw.family, gw.value);
      if (c.AuxiliaryAddresses) {
        for (const [k, v] of Object.entries(c.AuxiliaryAddresses)) {
          const a = parseIp(v);
          if (!contains(subnet, a.family, a.value)) throw new InvalidArgumentError(`no matching subnet for aux-address ${k}=${v}`);
        }
        rec.AuxiliaryAddresses = { ...c.AuxiliaryAddresses };
      }
      out.push(rec);
    }
    if (!out.some((c) => !c.Subnet.includes(':'))) {
      const picked = this.#pickSubnet([...taken, ...hostNets, ...out.map((o) => parseCidr(o.Subnet))]);
      out.unshift({ Subnet: formatCidr(picked), Gateway: formatIp(4, picked.base + 1n) });
    }
    if (req.EnableIPv6 && !out.some((c) => c.Subnet.includes(':'))) {
      // A ULA /64 derived from the network's name, so it is stable and unlikely to collide.
      const h = createHash('sha256').update(req.Name ?? '').digest();
      const base = `fd${h.subarray(0, 5).toString('hex').replace(/(..)(....)(....)/, '$1:$2:$3')}::`;
      const subnet = parseCidr(`${base}/64`);
      out.push({ Subnet: formatCidr(subnet), Gateway: formatIp(6, subnet.base + 1n) });
    }
    return out;
  }

  #pickSubnet(taken: Cidr[]): Cidr {
    for (const pool of this.options.addressPools) {
      const base = parseCidr(pool.base);
      const step = 1n << BigInt(32 - pool.size);
      for (let v = base.base; v + step - 1n <= base.base + (1n << BigInt(32 - base.prefix)) - 1n; v += step) {
        const c: Cidr = { family: 4, base: v, prefix: pool.size };
        if (!taken.some((t) => overlaps(t, c))) return c;
      }
    }
    throw new ForbiddenError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  async remove(ref: string): Promise<void> {
    const n = this.get(ref);
    if (n.predefined) throw new ForbiddenError(`${n.name} is a pre-defined network and cannot be removed`);
    const eps = this.endpointsOf(n.id);
    if (eps.length) throw new ForbiddenError(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    this.#networks.delete(n.id);
    this.#pools.delete(n.id);
    await this.store.remove(n.id);
    await this.dns.stop(n.id).catch(() => undefined);
    await this.firewall.sync();
    if (n.bridge) await this.shell.run(bridgeDownScript(n.bridge));
    this.events.publish('network', 'destroy', n.id, { name: n.name, type: n.driver });
  }

  // ---- sandboxes -----------------------------------------------------------------------

  /** The network a container names in NetworkMode ("default" is the bridge). */
  resolveMode(mode: string): NetworkRecord {
    return this.get(mode === 'default' || mode === '' ? 'bridge' : mode);
  }

  /** Checks an endpoint request against its network (at create and connect): nothing is allocated. */
  validateEndpoint(n: NetworkRecord, req: EndpointRequest): void {
    const v4 = req.IPAMConfig?.IPv4Address;
    const v6 = req.IPAMConfig?.IPv6Address;
    if ((v4 || v6) && n.name === 'bridge') throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
    if (v4) parseIp(v4);
    if (v6) parseIp(v6);
    if (req.MacAddress && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(req.MacAddress)) throw new InvalidArgumentError(`invalid MAC address: ${req.MacAddress}`);
    if (req.Aliases?.length && n.name === 'bridge') throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
  }

  /**
   * berth-<daemon tag>-<id12>: the tag (from the data root) tells this daemon's namespaces from
   * another berthd's, so start-up can remove the ones a crash left behind.
   */
  netnsName(containerId: string): string {
    return `${this.#netnsPrefix}${containerId.slice(0, 12)}`;
  }

  netnsPath(containerId: string): string {
    return `/run/netns/${this.netnsName(containerId)}`;
  }

  /** Namespaces of this daemon that no running container owns (a crash mid-teardown): removed. */
  async removeStaleNamespaces(): Promise<number> {
    const owned = new Set([...this.#live.values()].map((l) => l.sandbox.netns));
    const stale = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith(this.#netnsPrefix) && !owned.has(n) && !this.#teardowns.has(n));
    for (const n of stale) await this.shell.run(sandboxDownScript(n, [])).catch(() => undefined);
    return stale.length;
  }

  /** Sets up a starting container's namespace and endpoints; undone completely if anything fails. */
  async createSandbox(req: SandboxRequest): Promise<SandboxState> {
    await this.#teardowns.get(req.containerId);
    const sandbox: SandboxState = {
      netns: this.netnsName(req.containerId), endpoints: {}, ports: [], ...(req.rates ? { rates: req.rates } : {}), ...(req.dns?.length ? { dns: req.dns } : {}),
    };
    const plans: EndpointPlan[] = [];
    try {
      let i = 0;
      for (const [netName, epReq] of Object.entries(req.networks)) {
        const n = this.find(netName);
        if (!n) throw new NotFoundError(`failed to set up container networking: network ${netName} not found`);
        if (n.driver !== 'bridge') continue;
        const ep = this.#allocateEndpoint(n, req, epReq, `eth${i}`, i === 0);
        sandbox.endpoints[n.name] = ep;
        plans.push(planFor(n, ep, i === 0 && !n.internal, req.rates));
        i++;
      }
      if (plans.length > 0) for (const p of req.ports) sandbox.ports.push(await this.#ports.reserve(p));
      await this.shell.run(sandboxUpScript(sandbox.netns, plans));
    } catch (err) {
      await this.#undo(sandbox);
      throw err;
    }
    this.#live.set(req.containerId, { containerName: req.containerName, hostname: req.hostname, sandbox });
    try {
      await Promise.all([sandbox.ports.length ? this.firewall.sync() : undefined, this.#updateDns(Object.values(sandbox.endpoints).map((e) => e.networkId))]);
    } catch (err) {
      await this.releaseSandbox(req.containerId);
      throw err;
    }
    for (const ep of Object.values(sandbox.endpoints)) this.#connectEvent(ep, req.containerId);
    return sandbox;
  }

  #allocateEndpoint(n: NetworkRecord, req: SandboxRequest, epReq: EndpointRequest, ifname: string, first: boolean): EndpointState {
    const pools = this.#pools.get(n.id) ?? [];
    const p4 = pools.find((p) => p.family === 4);
    const p6 = pools.find((p) => p.family === 6);
    const want4 = epReq.IPAMConfig?.IPv4Address || undefined;
    const want6 = epReq.IPAMConfig?.IPv6Address || undefined;
    if ((want4 || want6) && !n.ipam.config.some((c) => c.Subnet) ) throw new InvalidArgumentError('user specified IP address is supported only when connecting to networks with user configured subnets');
    if (!p4) throw new ConflictError(`network ${n.name} has no IPv4 subnet`);
    const ip = p4.allocate(want4);
    let ip6: string | undefined;
    try { ip6 = p6 ? p6.allocate(want6) : undefined; } catch (err) { p4.release(ip); throw err; }
    const c4 = n.ipam.config.find((c) => !c.Subnet.includes(':'))!;
    const c6 = n.ipam.config.find((c) => c.Subnet.includes(':'));
    const shortId = req.containerId.slice(0, 12);
    const userDefined = !n.predefined;
    void first;
    return {
      networkId: n.id, networkName: n.name, endpointId: newId(), ifname,
      hostIf: `vb${createHash('sha256').update(`${req.containerId}/${n.id}`).digest('hex').slice(0, 12)}`,
      mac: (epReq.MacAddress || macFor(4, parseIp(ip).value)).toLowerCase(),
      ip, prefixLen: parseCidr(c4.Subnet).prefix, gateway: c4.Gateway ?? '',
      ...(ip6 && c6 ? { ip6, prefixLen6: parseCidr(c6.Subnet).prefix, gateway6: c6.Gateway ?? '' } : {}),
      aliases: userDefined ? [...(epReq.Aliases ?? [])] : [],
      dnsNames: userDefined ? [...new Set([req.containerName, ...(epReq.Aliases ?? []), shortId, ...(req.hostname && req.hostname !== shortId ? [req.hostname] : [])])] : [],
    };
  }

  /** Releases what createSandbox took, when it failed half-way. */
  async #undo(s: SandboxState): Promise<void> {
    for (const ep of Object.values(s.endpoints)) this.#releaseAddresses(ep);
    for (const p of s.ports) this.#ports.release(p);
    await this.shell.run(sandboxDownScript(s.netns, Object.values(s.endpoints).map((e) => e.hostIf))).catch(() => undefined);
  }

  #releaseAddresses(ep: EndpointState): void {
    for (const p of this.#pools.get(ep.networkId) ?? []) {
      p.release(ep.ip);
      if (ep.ip6) p.release(ep.ip6);
    }
  }

  /** Tears a stopped container's network down: namespace, veths, addresses, ports, names. */
  releaseSandbox(containerId: string, known?: SandboxState): Promise<void> {
    const prev = this.#teardowns.get(containerId) ?? Promise.resolve();
    const p = prev.then(() => this.#release(containerId, known)).finally(() => {
      if (this.#teardowns.get(containerId) === p) this.#teardowns.delete(containerId);
    });
    this.#teardowns.set(containerId, p);
    return p;
  }

  async #release(containerId: string, known?: SandboxState): Promise<void> {
    const live = this.#live.get(containerId);
    const s = live?.sandbox ?? known;
    this.#live.delete(containerId);
    if (!s) {
      await this.shell.run(sandboxDownScript(this.netnsName(containerId), [])).catch(() => undefined);
      return;
    }
    for (const p of s.ports) this.#ports.release(p);
    const nets = Object.values(s.endpoints).map((e) => e.networkId);
    await Promise.all([s.ports.length ? this.firewall.sync() : undefined, this.#updateDns(nets)]);
    // Addresses are free again only once the veths are gone (no duplicate on the bridge).
    await this.shell.run(sandboxDownScript(s.netns, Object.values(s.endpoints).map((e) => e.hostIf))).catch((err: Error) => {
      this.log.warn({ container: containerId, err: err.message }, 'network teardown failed');
    });
    if (live) for (const ep of Object.values(s.endpoints)) this.#releaseAddresses(ep);
    for (const ep of Object.values(s.endpoints)) this.#disconnectEvent(ep, containerId);
  }

  /** A running container found at daemon start: take its addresses, ports and names again. */
  async restoreSandbox(containerId: string, containerName: string, hostname: string, s: SandboxState): Promise<void> {
    for (const ep of Object.values(s.endpoints)) {
      for (const p of this.#pools.get(ep.networkId) ?? []) {
        try { if (p.family === 4) p.markUsed(ep.ip); else if (ep.ip6) p.markUsed(ep.ip6); } catch { /* network changed */ }
      }
    }
    for (const p of s.ports) {
      if (!(await this.#ports.restore(p))) this.log.warn({ container: containerId, port: p.hostPort }, 'published port taken by another program while berthd was down');
    }
    this.#live.set(containerId, { containerName, hostname, sandbox: s });
  }

  /** After restoring every running container: one firewall transaction and the DNS tables. */
  async restoreDone(): Promise<void> {
    await this.firewall.sync();
    await this.#updateDns([...this.#networks.keys()]);
  }

  /** network connect of a running container: a new endpoint in its namespace. */
  async connectLive(containerId: string, n: NetworkRecord, epReq: EndpointRequest): Promise<SandboxState> {
    const live = this.#live.get(containerId);
    if (!live) throw new ConflictError('container is not running');
    const s = live.sandbox;
    if (s.endpoints[n.name]) throw new ForbiddenError(`endpoint with name ${live.containerName} already exists in network ${n.name}`);
    if (n.driver !== 'bridge') throw new ForbiddenError(`container cannot be connected to network ${n.name}: only bridge networks can be connected`);
    const idx = Math.max(-1, ...Object.values(s.endpoints).map((e) => Number(e.ifname.slice(3)))) + 1;
    const ep = this.#allocateEndpoint(n, { containerId, containerName: live.containerName, hostname: live.hostname, networks: {}, ports: [] }, epReq, `eth${idx}`, false);
    const hasGateway = Object.keys(s.endpoints).length === 0 && !n.internal;
    try {
      await this.shell.run(endpointUpScript(s.netns, planFor(n, ep, hasGateway, s.rates)));
    } catch (err) {
      this.#releaseAddresses(ep);
      throw err;
    }
    s.endpoints[n.name] = ep;
    await this.#updateDns([n.id]);
    this.#connectEvent(ep, containerId);
    return s;
  }

  async disconnectLive(containerId: string, n: NetworkRecord): Promise<SandboxState> {
    const live = this.#live.get(containerId);
    if (!live) throw new ConflictError('container is not running');
    const ep = live.sandbox.endpoints[n.name];
    if (!ep) throw new ForbiddenError(`container ${containerId} is not connected to network ${n.name}`);
    await this.shell.run(endpointDownScript(ep.hostIf));
    delete live.sandbox.endpoints[n.name];
    this.#releaseAddresses(ep);
    await this.#updateDns([n.id]);
    this.#disconnectEvent(ep, containerId);
    return live.sandbox;
  }

  sandboxOf(containerId: string): SandboxState | undefined {
    return this.#live.get(containerId)?.sandbox;
  }

  async #updateDns(networkIds: string[]): Promise<void> {
    for (const id of new Set(networkIds)) {
      const n = this.#networks.get(id);
      if (!n || n.predefined || n.driver !== 'bridge') continue;
      const endpoints = this.endpointsOf(id).map(({ containerId, ep }) => ({
        names: ep.dnsNames, ipv4: ep.ip, ipv6: ep.ip6, upstreams: this.#live.get(containerId)?.sandbox.dns,
      }));
      const gateway = n.ipam.config.find((c) => !c.Subnet.includes(':'))?.Gateway ?? null;
      await this.dns.serve(id, { gateway, networkName: n.name, internal: n.internal, endpoints })
        .catch((err: Error) => this.log.warn({ network: n.name, err: err.message }, 'embedded DNS failed'));
    }
  }

  #connectEvent(ep: EndpointState, containerId: string): void {
    this.events.publish('network', 'connect', ep.networkId, { container: containerId, name: ep.networkName, type: 'bridge' });
  }

  #disconnectEvent(ep: EndpointState, containerId: string): void {
    this.events.publish('network', 'disconnect', ep.networkId, { container: containerId, name: ep.networkName, type: 'bridge' });
  }

  /**
   * Clean daemon shutdown: teardowns in progress finish (up to a few seconds); port
   * reservations go with the process; rules and namespaces stay for the running containers.
   */
  async close(): Promise<void> {
    this.firewall.stopWatch();
    await Promise.race([Promise.allSettled([...this.#teardowns.values()]), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.#ports.releaseAll();
    await this.dns.closeAll().catch(() => undefined);
    this.shell.close();
  }

  /** A host-port reservation's owner, for errors (used by tests through inspect). */
  static portDisplay(p: PortMapping): string {
    return `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.proto}`;
  }

  static randomMac(): string {
    const b = randomBytes(6);
    b[0] = (b[0]! & 0xfe) | 0x02;
    return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
  }
}




function poolsFor(n: NetworkRecord): AddressPool[] {
  return n.ipam.config.map((c) => {
    const subnet = parseCidr(c.Subnet);
    const gw = c.Gateway ? parseIp(c.Gateway).value : subnet.base + 1n;
    return new AddressPool({
      subnet, gateway: gw, ...(c.IPRange ? { range: parseCidr(c.IPRange) } : {}),
      reserved: Object.values(c.AuxiliaryAddresses ?? {}).map((a) => parseIp(a).value),
    });
  });
}

function bridgePlan(n: NetworkRecord): { name: string; addresses: string[]; ipv6: boolean; mtu?: number } {
  const mtu = n.options[MTU_OPT] ? Number(n.options[MTU_OPT]) : undefined;
  return {
    name: n.bridge!, ipv6: n.enableIPv6,
    addresses: n.ipam.config.filter((c) => c.Gateway).map((c) => `${c.Gateway}/${parseCidr(c.Subnet).prefix}`),
    ...(mtu && mtu !== 1500 ? { mtu } : {}),
  };
}

function planFor(n: NetworkRecord, ep: EndpointState, withGateway: boolean, rates?: { ingress?: string; egress?: string }): EndpointPlan {
  const mtu = n.options[MTU_OPT] ? Number(n.options[MTU_OPT]) : undefined;
  return {
    hostIf: ep.hostIf, ifname: ep.ifname, bridge: n.bridge!, mac: ep.mac, address: `${ep.ip}/${ep.prefixLen}`,
    ...(ep.ip6 ? { address6: `${ep.ip6}/${ep.prefixLen6}` } : {}),
    ...(withGateway && ep.gateway ? { gateway: ep.gateway } : {}),
    ...(withGateway && ep.gateway6 ? { gateway6: ep.gateway6 } : {}),
    ...(mtu && mtu !== 1500 ? { mtu } : {}),
    ...(rates?.ingress ? { ingressRate: rates.ingress } : {}),
    ...(rates?.egress ? { egressRate: rates.egress } : {}),
  };
}

/** Subnets the host already routes (its own interfaces), which new networks must avoid. */
function hostSubnets(): Cidr[] {
  const out: Cidr[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || !a.cidr) continue;
      try { out.push(parseCidr(a.cidr)); } catch { /* odd address */ }
    }
  }
  return out;
}
