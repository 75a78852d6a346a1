// berth's nftables table, as text for one `nft -f` transaction (pure). The whole table except
// the user chain is rewritten on every change: sets and maps are flushed and refilled, base
// chains flushed and re-added, all in one transaction, so the kernel never sees a half state
// and a sync also repairs whatever someone removed. Published ports are map elements, so the
// rules do not grow with the number of containers.
//
// Chains (see README, "Firewall"):
//   user         users' own rules, evaluated first for forwarded traffic; berth never flushes it
//   forward      isolation between networks, --internal, no unpublished access from outside
//   prerouting / output   DNAT of published ports (no userland proxy)
//   postrouting  masquerade for outbound traffic, for 127.0.0.1-published ports and hairpin
// Docker's iptables FORWARD policy DROP would still drop what this table lets through (a drop
// in any base chain wins), so FORWARD also gets accept rules for berth's bridges (forwardAccept).

export interface FwNetwork {
  bridge: string;
  subnets: string[];
  internal: boolean;
  /** com.docker.network.bridge.enable_ip_masquerade (default true). */
  masquerade: boolean;
  /** com.docker.network.bridge.enable_icc (default true): containers on the network talk to each other. */
  icc: boolean;
}

export interface FwPort {
  proto: 'tcp' | 'udp' | 'sctp';
  /** '' for every address of the family. */
  hostIp: string;
  hostPort: number;
  family: 4 | 6;
  containerIp: string;
  containerPort: number;
}

export interface FwState {
  networks: FwNetwork[];
  ports: FwPort[];
}

export const USER_CHAIN = 'user';
const SETS = ['bridges', 'internal_bridges', 'bridge_pairs', 'masq4', 'masq6'];
const MAPS = ['ports4', 'ports4_any', 'ports6', 'ports6_any'];
const BASE_CHAINS = ['forward', 'prerouting', 'output', 'postrouting', 'publish'];

const q = (s: string): string => JSON.stringify(s);

/** The skeleton: `add` is a no-op for what exists, so this never disturbs the user chain. */
function skeleton(t: string): string[] {
  const T = `inet ${t}`;
  return [
    `add table ${T}`,
    `add chain ${T} ${USER_CHAIN}`,
    `add set ${T} bridges { type ifname; }`,
    `add set ${T} internal_bridges { type ifname; }`,
    `add set ${T} bridge_pairs { type ifname . ifname; }`,
    `add set ${T} masq4 { type ipv4_addr; flags interval; }`,
    `add set ${T} masq6 { type ipv6_addr; flags interval; }`,
    `add map ${T} ports4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${T} ports4_any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${T} ports6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }`,
    `add map ${T} ports6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }`,
    `add chain ${T} forward { type filter hook forward priority filter - 5; policy accept; }`,
    `add chain ${T} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${T} output { type nat hook output priority -100; policy accept; }`,
    `add chain ${T} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add chain ${T} publish`,
  ];
}

function rules(t: string): string[] {
  const T = `inet ${t}`;
  return [
    `add rule ${T} forward jump ${USER_CHAIN}`,
    // Published ports are reachable from anywhere, other networks included (as with Docker's proxy).
    `add rule ${T} forward oifname @internal_bridges iifname != @internal_bridges drop`,
    `add rule ${T} forward iifname @internal_bridges oifname != @internal_bridges drop`,
    `add rule ${T} forward ct status dnat accept`,
    `add rule ${T} forward iifname @bridges oifname @bridges iifname . oifname != @bridge_pairs drop`,
    // From outside, only replies and published ports reach containers.
    `add rule ${T} forward oifname @bridges iifname != @bridges ct state != { established, related } drop`,
    `add rule ${T} prerouting fib daddr type local jump publish`,
    `add rule ${T} output fib daddr type local jump publish`,
    `add rule ${T} publish meta nfproto ipv4 dnat ip to ip daddr . meta l4proto . th dport map @ports4`,
    `add rule ${T} publish meta nfproto ipv4 dnat ip to meta l4proto . th dport map @ports4_any`,
    `add rule ${T} publish meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @ports6`,
    `add rule ${T} publish meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @ports6_any`,
    `add rule ${T} postrouting ip saddr @masq4 oifname != @bridges masquerade`,
    `add rule ${T} postrouting ip6 saddr @masq6 oifname != @bridges masquerade`,
    // 127.0.0.1:port → container needs a routable source (with route_localnet on the bridge).
    `add rule ${T} postrouting ip saddr 127.0.0.0/8 oifname @bridges masquerade`,
    // Hairpin: a container reaching a published port of its own network through a host address.
    `add rule ${T} postrouting oifname @bridges ct status dnat ip saddr @masq4 masquerade`,
  ];
}

function elements(t: string, s: FwState): { lines: string[]; count: number } {
  const T = `inet ${t}`;
  const lines: string[] = [];
  let count = 0;
  const add = (set: string, items: string[]): void => {
    if (!items.length) return;
    count += items.length;
    lines.push(`add element ${T} ${set} { ${items.join(', ')} }`);
  };
  add('bridges', s.networks.map((n) => q(n.bridge)));
  add('internal_bridges', s.networks.filter((n) => n.internal).map((n) => q(n.bridge)));
  add('bridge_pairs', s.networks.filter((n) => n.icc).map((n) => `${q(n.bridge)} . ${q(n.bridge)}`));
  const masq = s.networks.filter((n) => n.masquerade && !n.internal);
  add('masq4', masq.flatMap((n) => n.subnets.filter((c) => !c.includes(':'))));
  add('masq6', masq.flatMap((n) => n.subnets.filter((c) => c.includes(':'))));
  const key = (p: FwPort): string => `${p.proto} . ${p.hostPort}`;
  const val = (p: FwPort): string => `${p.containerIp} . ${p.containerPort}`;
  for (const fam of [4, 6] as const) {
    const ports = dedupe(s.ports.filter((p) => p.family === fam));
    add(`ports${fam}`, ports.filter((p) => p.hostIp !== '').map((p) => `${p.hostIp} . ${key(p)} : ${val(p)}`));
    add(`ports${fam}_any`, ports.filter((p) => p.hostIp === '').map((p) => `${key(p)} : ${val(p)}`));
  }
  return { lines, count };
}

/** A host address and port can map to one container port only; the first wins (the daemon refuses the rest earlier). */
function dedupe(ports: FwPort[]): FwPort[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const k = `${p.hostIp}|${p.proto}|${p.hostPort}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One transaction that makes the table match the state (the user chain is left as it is). */
export function syncScript(table: string, state: FwState): string {
  const T = `inet ${table}`;
  return [
    ...skeleton(table),
    ...SETS.map((s) => `flush set ${T} ${s}`),
    ...MAPS.map((m) => `flush map ${T} ${m}`),
    ...BASE_CHAINS.map((c) => `flush chain ${T} ${c}`),
    ...rules(table),
    ...elements(table, state).lines,
  ].join('\n') + '\n';
}

/** What a healthy table holds: rule counts per base chain and element counts per set. */
export function expectedShape(state: FwState): { rules: number; elements: number } {
  return { rules: rules('x').length, elements: elements('x', state).count };
}

export function deleteScript(table: string): string {
  return `delete table inet ${table}\n`;
}

/** Accept rules in the iptables filter FORWARD chain (see the header), one pair per bridge. */
export function forwardAcceptScript(bridges: string[], comment: string): string {
  return bridges.flatMap((b) => [
    `insert rule ip filter FORWARD oifname ${q(b)} counter accept comment ${q(comment)}`,
    `insert rule ip filter FORWARD iifname ${q(b)} counter accept comment ${q(comment)}`,
  ]).join('\n') + '\n';
}
