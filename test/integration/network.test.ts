// Networking against a real berthd as root: bridges, veths, network namespaces and nftables.
// A second "host" is a network namespace made by the test (berth-test-ext-*), joined to the
// host by its own veth pair, so published ports are reached from another machine's address
// and outbound NAT is seen from outside. Everything made here is removed in after().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { promisify } from 'node:util';
import { TestDaemon, eventually, sleep } from '../support/daemon.ts';

const run = promisify(execFile);
const d = new TestDaemon();
const tag = d.firewallTable.slice(-4);
const ext = { ns: `berth-test-ext-${tag}`, hostIf: `bt-exth${tag}`, nsIf: `bt-extn${tag}`, hostIp: '10.198.77.1', nsIp: '10.198.77.2' };
const BUSYBOX = '/usr/bin/busybox';

async function sh(cmd: string): Promise<string> {
  return (await run('bash', ['-c', cmd])).stdout;
}

/** An HTTP GET from inside the second host's namespace; '' when it fails. */
async function fetchFromExt(url: string): Promise<string> {
  try { return (await run('ip', ['netns', 'exec', ext.ns, 'curl', '-sf', '-m', '3', url])).stdout; } catch { return ''; }
}

async function fetchFromHost(url: string): Promise<string> {
  // curl: the host's static busybox wget crashes on some hosts.
  try { return (await run('curl', ['-sf', '-m', '3', url])).stdout; } catch { return ''; }
}

/** Polls until the page answers (a server in a new container needs a moment to listen). */
async function fetchUntil(url: string, want: string, from: 'host' | 'ext' = 'host'): Promise<string> {
  let got = '';
  await eventually(async () => { got = (await (from === 'host' ? fetchFromHost(url) : fetchFromExt(url))).trim(); return got === want; }, 5000, 100);
  return got;
}

function hostAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.2')) return a.address;
  }
  return '127.0.0.1';
}

async function inspect(name: string): Promise<{ NetworkSettings: Record<string, any>; State: { Running: boolean } }> {
  const r = await d.api('GET', `/containers/${name}/json`);
  assert.equal(r.status, 200, r.body);
  return r.json as never;
}

async function webServer(name: string, args: string[] = []): Promise<void> {
  const r = await d.docker(['run', '-d', '--name', name, ...args, 'busybox', 'sh', '-c', `echo hello-${name} > /tmp/index.html; exec httpd -f -p 80 -h /tmp`]);
  assert.equal(r.code, 0, r.stderr);
  // Wait until the server listens (the host reaches every bridge network's addresses).
  const nets = (await inspect(name)).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
  const ip = Object.values(nets)[0]?.IPAddress;
  if (ip) await fetchUntil(`http://${ip}/`, `hello-${name}`);
}

before(async () => {
  await d.start();
  await d.importBusybox();
  await sh(`ip netns add ${ext.ns}
    ip link add ${ext.hostIf} type veth peer name ${ext.nsIf} netns ${ext.ns}
    ip addr add ${ext.hostIp}/30 dev ${ext.hostIf}; ip link set ${ext.hostIf} up
    ip -n ${ext.ns} addr add ${ext.nsIp}/30 dev ${ext.nsIf}; ip -n ${ext.ns} link set ${ext.nsIf} up; ip -n ${ext.ns} link set lo up
    ip -n ${ext.ns} route add default via ${ext.hostIp}`);
  // The second host serves a page that names the client's address, for the NAT test.
  await sh(`mkdir -p /tmp/${ext.ns}/cgi-bin && printf '#!/bin/sh\\necho\\necho "$REMOTE_ADDR"\\n' > /tmp/${ext.ns}/cgi-bin/ip && chmod +x /tmp/${ext.ns}/cgi-bin/ip
    ip netns exec ${ext.ns} ${BUSYBOX} httpd -p 8099 -h /tmp/${ext.ns}`);
});

after(async () => {
  await d.stop();
  await sh(`pkill -f "[h]ttpd -p 8099 -h /tmp/${ext.ns}" || true; ip link del ${ext.hostIf} 2>/dev/null || true; ip netns del ${ext.ns} 2>/dev/null || true; rm -rf /tmp/${ext.ns}`);
});

test('default bridge: an address in --bip, the gateway route, /etc/hosts, and inspect', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 addr show eth0; ip route; cat /etc/hosts']);
  assert.equal(r.code, 0, r.stderr);
  const prefix = d.bip.split('.').slice(0, 3).join('.');
  assert.match(r.stdout, new RegExp(`inet ${prefix.replace(/\./g, '\\.')}\\.\\d+/24`));
  assert.match(r.stdout, new RegExp(`default via ${prefix.replace(/\./g, '\\.')}\\.1 dev eth0`));
  assert.match(r.stdout, new RegExp(`${prefix.replace(/\./g, '\\.')}\\.\\d+\\t[0-9a-f]{12}`));
  await webServer('berth-test-web0');
  const i = await inspect('berth-test-web0');
  assert.ok(i.NetworkSettings.IPAddress.startsWith(prefix), JSON.stringify(i.NetworkSettings));
  assert.equal(i.NetworkSettings.Gateway, `${prefix}.1`);
  assert.equal(i.NetworkSettings.Networks.bridge.IPAddress, i.NetworkSettings.IPAddress);
  assert.equal(i.NetworkSettings.SandboxKey, `/run/netns/${d.netnsPrefix}${(i as unknown as { Id: string }).Id.slice(0, 12)}`);
  // The host reaches the container's own address.
  assert.equal(await fetchUntil(`http://${i.NetworkSettings.IPAddress}/`, 'hello-berth-test-web0'), 'hello-berth-test-web0');
  // Stats count the traffic on eth0 (and leave loopback out, as Docker does).
  const stats = (await d.api('GET', '/containers/berth-test-web0/stats?stream=false&one-shot=true')).json as { networks?: Record<string, { rx_bytes: number; tx_bytes: number }> };
  assert.deepEqual(Object.keys(stats.networks ?? {}), ['eth0']);
  assert.ok(stats.networks!['eth0']!.rx_bytes > 0 && stats.networks!['eth0']!.tx_bytes > 0, JSON.stringify(stats.networks));
  await d.docker(['rm', '-f', 'berth-test-web0']);
});

test('published ports: 127.0.0.1, the host address and another host reach the container; docker port', async () => {
  await webServer('berth-test-web1', ['-p', '18481:80', '-p', '127.0.0.1::80']);
  const port = await d.docker(['port', 'berth-test-web1', '80']);
  assert.equal(port.code, 0, port.stderr);
  assert.match(port.stdout, /0\.0\.0\.0:18481/);
  const random = /127\.0\.0\.1:(\d+)/.exec(port.stdout);
  assert.ok(random, port.stdout);
  assert.equal(await fetchUntil('http://127.0.0.1:18481/', 'hello-berth-test-web1'), 'hello-berth-test-web1');
  assert.equal(await fetchUntil(`http://${hostAddress()}:18481/`, 'hello-berth-test-web1'), 'hello-berth-test-web1');
  assert.equal(await fetchUntil(`http://127.0.0.1:${random![1]}/`, 'hello-berth-test-web1'), 'hello-berth-test-web1');
  assert.equal(await fetchUntil(`http://${ext.hostIp}:18481/`, 'hello-berth-test-web1', 'ext'), 'hello-berth-test-web1');
  // Bound to 127.0.0.1 only: not reachable from the other host.
  assert.equal(await fetchFromExt(`http://${ext.hostIp}:${random![1]}/`), '');
  const ps = await d.docker(['ps', '--filter', 'name=berth-test-web1', '--format', '{{.Ports}}']);
  assert.match(ps.stdout, /0\.0\.0\.0:18481->80\/tcp/);
  // The same host port again: Docker's message, and nothing is left of the failed start.
  const nsBefore = readdirSync('/run/netns').length;
  const clash = await d.docker(['run', '-d', '--name', 'berth-test-clash', '-p', '18481:80', 'busybox', 'sleep', '5']);
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /Bind for 0\.0\.0\.0:18481 failed: port is already allocated/);
  assert.equal(readdirSync('/run/netns').length, nsBefore);
  await d.docker(['rm', '-f', 'berth-test-web1', 'berth-test-clash']);
  assert.equal(await fetchFromHost('http://127.0.0.1:18481/'), '');
});

test('-P publishes the exposed ports on random host ports', async () => {
  const r = await d.docker(['run', '-d', '--name', 'berth-test-pall', '-P', '--expose', '80', 'busybox', 'sh', '-c', 'echo pall > /tmp/index.html; exec httpd -f -p 80 -h /tmp']);
  assert.equal(r.code, 0, r.stderr);
  const port = await d.docker(['port', 'berth-test-pall']);
  const m = /80\/tcp -> 0\.0\.0\.0:(\d+)/.exec(port.stdout);
  assert.ok(m, port.stdout);
  assert.equal(await fetchUntil(`http://127.0.0.1:${m![1]}/`, 'pall'), 'pall');
  await d.docker(['rm', '-f', 'berth-test-pall']);
});

test('outbound traffic is masqueraded to the host address', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'timeout', '3', 'wget', '-q', '-O', '-', `http://${ext.nsIp}:8099/cgi-bin/ip`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, "$1"), ext.hostIp);
});

test('user-defined networks: subnet, gateway, ip-range, static --ip, isolation, internal', async () => {
  let r = await d.docker(['network', 'create', '--subnet', '10.197.10.0/24', '--gateway', '10.197.10.254', '--ip-range', '10.197.10.128/25', '--label', 'berth-test=1', 'berth-test-n1']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['network', 'create', 'berth-test-n2']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['network', 'create', '--internal', '--subnet', '10.197.12.0/24', 'berth-test-int']);
  assert.equal(r.code, 0, r.stderr);
  const n1 = (await d.api('GET', '/networks/berth-test-n1')).json as Record<string, any>;
  assert.deepEqual(n1.IPAM.Config, [{ Subnet: '10.197.10.0/24', IPRange: '10.197.10.128/25', Gateway: '10.197.10.254' }]);
  assert.equal(n1.Labels['berth-test'], '1');

  await webServer('berth-test-a', ['--network', 'berth-test-n1']);
  const a = await inspect('berth-test-a');
  assert.equal(a.NetworkSettings.Networks['berth-test-n1'].IPAddress, '10.197.10.128');
  assert.equal(a.NetworkSettings.Networks['berth-test-n1'].Gateway, '10.197.10.254');
  r = await d.docker(['run', '--rm', '--network', 'berth-test-n1', '--ip', '10.197.10.7', 'busybox', 'sh', '-c', 'ip -4 addr show eth0; timeout 3 wget -q -O - http://10.197.10.128/']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /inet 10\.197\.10\.7\/24/);
  assert.match(r.stdout, /hello-berth-test-a/);
  r = await d.docker(['run', '--rm', '--network', 'berth-test-n1', '--ip', '10.197.10.128', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Address already in use/);
  // Another network cannot reach it; an internal network reaches nothing outside.
  r = await d.docker(['run', '--rm', '--network', 'berth-test-n2', 'busybox', 'nc', '-w', '2', '10.197.10.128', '80']);
  assert.notEqual(r.code, 0, 'traffic between networks must be dropped');
  r = await d.docker(['run', '--rm', '--network', 'berth-test-int', 'busybox', 'nc', '-w', '2', ext.nsIp, '8099']);
  assert.notEqual(r.code, 0, 'an internal network must not reach outside');
  r = await d.docker(['run', '--rm', '--network', 'bridge', '--ip', '10.1.1.1', 'busybox', 'true']);
  assert.match(r.stderr, /user specified IP address is supported on user defined networks only/);

  // Removing a network with a running container is refused; predefined ones never.
  r = await d.docker(['network', 'rm', 'berth-test-n1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /has active endpoints/);
  r = await d.docker(['network', 'rm', 'bridge']);
  assert.match(r.stderr, /bridge is a pre-defined network and cannot be removed/);
  await d.docker(['rm', '-f', 'berth-test-a']);
  r = await d.docker(['network', 'rm', 'berth-test-n1', 'berth-test-n2', 'berth-test-int']);
  assert.equal(r.code, 0, r.stderr);
  const links = await sh('ip -o link show type bridge');
  for (const n of [n1.Options?.['com.docker.network.bridge.name'], `brth-${(n1.Id as string).slice(0, 10)}`]) if (n) assert.ok(!links.includes(`${n}:`), links);
});

test('bridge options: interface name, icc=false, and a static MAC address', async () => {
  const br = `berth-testx${tag}`;
  let r = await d.docker(['network', 'create', '--subnet', '10.197.80.0/24', '-o', `com.docker.network.bridge.name=${br}`, '-o', 'com.docker.network.bridge.enable_icc=false', 'berth-test-noicc']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await sh(`ip -o link show dev ${br}`), new RegExp(`${br}:`));
  await webServer('berth-test-icc', ['--network', 'berth-test-noicc', '--mac-address', '02:42:de:ad:be:ef']);
  r = await d.docker(['exec', 'berth-test-icc', 'cat', '/sys/class/net/eth0/address']);
  assert.equal(r.stdout.trim(), '02:42:de:ad:be:ef');
  // icc=false: containers on the network cannot talk to each other (the host still can).
  r = await d.docker(['run', '--rm', '--network', 'berth-test-noicc', 'busybox', 'nc', '-w', '2', '10.197.80.2', '80']);
  assert.notEqual(r.code, 0, 'icc=false must drop traffic between the containers');
  await d.docker(['rm', '-f', 'berth-test-icc']);
  r = await d.docker(['network', 'rm', 'berth-test-noicc']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await run('ip', ['link', 'show', 'dev', br]).catch(() => null)), null, 'the bridge is gone with its network');
});

test('bad network input: overlap, gateway outside the subnet, missing network, malformed -p', async () => {
  let r = await d.docker(['network', 'create', '--subnet', '10.197.20.0/24', 'berth-test-o1']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['network', 'create', '--subnet', '10.197.20.128/25', 'berth-test-o2']);
  assert.match(r.stderr, /Pool overlaps with other one on this address space/);
  r = await d.docker(['network', 'create', '--subnet', '10.197.21.0/24', '--gateway', '10.197.99.1', 'berth-test-o3']);
  assert.match(r.stderr, /no matching subnet for gateway 10\.197\.99\.1/);
  r = await d.docker(['network', 'create', 'berth-test-o1']);
  assert.match(r.stderr, /network with name berth-test-o1 already exists/);
  // As with dockerd, a missing network fails the start (a 404 at create would make the CLI pull).
  r = await d.docker(['run', '--rm', '--network', 'berth-test-missing', 'busybox', 'true']);
  assert.match(r.stderr, /network berth-test-missing not found/);
  assert.doesNotMatch(r.stderr, /Unable to find image/);
  const bad = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { PortBindings: { '80/icmp': [{ HostPort: '1' }] } } });
  assert.equal(bad.status, 400);
  assert.match((bad.json as { message: string }).message, /invalid proto 'icmp'/);
  const r2 = await d.api('POST', '/networks/berth-test-missing/connect', { Container: 'x' });
  assert.equal(r2.status, 404);
  r = await d.docker(['network', 'rm', 'berth-test-o1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('connect and disconnect a running container, with an alias and a static address', async () => {
  let r = await d.docker(['network', 'create', '--subnet', '10.197.30.0/24', 'berth-test-c1']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['run', '-d', '--name', 'berth-test-conn', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['network', 'connect', '--alias', 'cee', '--ip', '10.197.30.9', 'berth-test-c1', 'berth-test-conn']);
  assert.equal(r.code, 0, r.stderr);
  let addrs = await d.docker(['exec', 'berth-test-conn', 'ip', '-4', 'addr']);
  assert.match(addrs.stdout, /inet 10\.197\.30\.9\/24 .*eth1/);
  const i = await inspect('berth-test-conn');
  assert.deepEqual(i.NetworkSettings.Networks['berth-test-c1'].Aliases, ['cee']);
  const net = (await d.api('GET', '/networks/berth-test-c1')).json as { Containers: Record<string, { Name: string; IPv4Address: string }> };
  assert.deepEqual(Object.values(net.Containers).map((c) => [c.Name, c.IPv4Address]), [['berth-test-conn', '10.197.30.9/24']]);
  r = await d.docker(['network', 'disconnect', 'berth-test-c1', 'berth-test-conn']);
  assert.equal(r.code, 0, r.stderr);
  addrs = await d.docker(['exec', 'berth-test-conn', 'ip', '-4', 'addr']);
  assert.doesNotMatch(addrs.stdout, /10\.197\.30\.9/);
  await d.docker(['rm', '-f', 'berth-test-conn']);
  await d.docker(['network', 'rm', 'berth-test-c1']);
});

test('embedded DNS: names, aliases and short ids on user-defined networks; not on the default bridge', async () => {
  let r = await d.docker(['network', 'create', '--subnet', '10.197.40.0/24', 'berth-test-dns']);
  assert.equal(r.code, 0, r.stderr);
  await webServer('berth-test-named', ['--network', 'berth-test-dns', '--network-alias', 'web-alias']);
  const id = ((await inspect('berth-test-named')) as unknown as { Id: string }).Id;
  r = await d.docker(['run', '--rm', '--network', 'berth-test-dns', 'busybox', 'sh', '-c',
    `cat /etc/resolv.conf; for n in berth-test-named web-alias ${id.slice(0, 12)} BERTH-TEST-NAMED; do nslookup $n 10.197.40.1 | grep -A1 "^Name:" | tail -1; done; wget -q -O - http://web-alias/`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^nameserver 10\.197\.40\.1$/m);
  assert.equal((r.stdout.match(/Address: 10\.197\.40\.2\b/g) ?? []).length, 4, r.stdout);
  assert.match(r.stdout, /hello-berth-test-named/);
  // The default bridge has no embedded DNS (as with Docker): names do not resolve there.
  r = await d.docker(['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '1', 'berth-test-named']);
  assert.notEqual(r.code, 0);
  await d.docker(['rm', '-f', 'berth-test-named']);
  await d.docker(['network', 'rm', 'berth-test-dns']);
});

test("embedded DNS: a container's --dns servers answer the names it does not know", async () => {
  // A resolver of the test's own on a loopback address: it answers every A query with 10.9.9.9.
  const seen: string[] = [];
  const resolver = createSocket('udp4');
  resolver.on('message', (msg, rinfo) => {
    const req = dnsPacket.decode(msg);
    const name = req.questions?.[0]?.name ?? '';
    seen.push(name);
    resolver.send(dnsPacket.encode({
      id: req.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: req.questions,
      answers: [{ type: 'A', name, ttl: 30, data: '10.9.9.9' }],
    }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((res, rej) => { resolver.once('error', rej); resolver.bind(53, '127.0.0.77', () => res()); });
  try {
    let r = await d.docker(['network', 'create', '--subnet', '10.197.41.0/24', 'berth-test-dns2']);
    assert.equal(r.code, 0, r.stderr);
    await webServer('berth-test-dnsweb', ['--network', 'berth-test-dns2']);
    r = await d.docker(['run', '--rm', '--network', 'berth-test-dns2', '--dns', '127.0.0.77', 'busybox', 'sh', '-c',
      'cat /etc/resolv.conf; nslookup berth-test-elsewhere.example 10.197.41.1; nslookup berth-test-dnsweb 10.197.41.1']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // The container still asks the embedded DNS; its --dns server answers what is not on the network.
    assert.match(r.stdout, /^nameserver 10\.197\.41\.1$/m);
    assert.match(r.stdout, /Address: 10\.9\.9\.9/);
    assert.match(r.stdout, /Address: 10\.197\.41\.2\b/);
    assert.ok(seen.includes('berth-test-elsewhere.example'), seen.join(','));
    assert.ok(!seen.includes('berth-test-dnsweb'), 'names on the network are answered by the embedded DNS');
    // A container without --dns on the same network does not use it.
    const before = seen.length;
    await d.docker(['run', '--rm', '--network', 'berth-test-dns2', 'busybox', 'nslookup', 'berth-test-other.example', '10.197.41.1']);
    assert.equal(seen.length, before);
  } finally {
    resolver.close();
    await d.docker(['rm', '-f', 'berth-test-dnsweb']);
    await d.docker(['network', 'rm', 'berth-test-dns2']);
  }
});

test('--ipv6 networks: a ULA subnet, addresses, the default route and AAAA names', async () => {
  let r = await d.docker(['network', 'create', '--ipv6', '--subnet', '10.197.50.0/24', '--subnet', 'fd00:197:50::/64', 'berth-test-v6']);
  assert.equal(r.code, 0, r.stderr);
  r = await d.docker(['run', '-d', '--name', 'berth-test-six', '--network', 'berth-test-v6', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  const six = (await inspect('berth-test-six')).NetworkSettings.Networks['berth-test-v6'];
  assert.equal(six.GlobalIPv6Address, 'fd00:197:50::2');
  assert.equal(six.IPv6Gateway, 'fd00:197:50::1');
  r = await d.docker(['run', '--rm', '--network', 'berth-test-v6', 'busybox', 'sh', '-c', 'ip -6 route; ping6 -c 1 -W 2 berth-test-six']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /default via fd00:197:50::1/);
  assert.match(r.stdout, /PING berth-test-six \(fd00:197:50::2\)/);
  await d.docker(['rm', '-f', 'berth-test-six']);
  await d.docker(['network', 'rm', 'berth-test-v6']);
});

test('--network container:<id> shares the namespace; none has loopback only', async () => {
  await webServer('berth-test-share');
  let r = await d.docker(['run', '--rm', '--network', 'container:berth-test-share', 'busybox', 'timeout', '3', 'wget', '-q', '-O', '-', 'http://127.0.0.1/']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'hello-berth-test-share');
  r = await d.docker(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']);
  assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  await d.docker(['rm', '-f', 'berth-test-share']);
});

test('bandwidth limits from labels become tbf qdiscs on both ends and show in inspect', async () => {
  const r = await d.docker(['run', '-d', '--name', 'berth-test-bw', '--label', 'io.berth.network.egress-rate=8mbit', '--label', 'io.berth.network.ingress-rate=16mbit', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  const i = await inspect('berth-test-bw');
  const id = (i as unknown as { Id: string }).Id;
  const inside = await sh(`ip netns exec ${d.netnsPrefix}${id.slice(0, 12)} tc qdisc show dev eth0`);
  assert.match(inside, /tbf .*rate 8Mbit/);
  // And it really limits: 1 MiB out of a container at 4mbit takes about 2 s, unlimited far less.
  const gw = d.bip.replace(/\.1\/24$/, '.1');
  const timeUpload = async (extra: string[]): Promise<number> => {
    let first = 0;
    let last = 0;
    const server = createServer((sock) => {
      sock.on('data', () => { if (!first) first = performance.now(); last = performance.now(); });
    });
    await new Promise<void>((res) => server.listen(0, gw, res));
    const port = (server.address() as { port: number }).port;
    const up = await d.docker(['run', '--rm', ...extra, 'busybox', 'sh', '-c', `dd if=/dev/zero bs=1024 count=1024 2>/dev/null | nc ${gw} ${port}`]);
    server.close();
    assert.equal(up.code, 0, up.stderr);
    return last - first;
  };
  const limited = await timeUpload(['--label', 'io.berth.network.egress-rate=4mbit']);
  const free = await timeUpload([]);
  assert.ok(limited > 1200, `limited upload took ${limited} ms`);
  assert.ok(free < limited / 3, `unlimited ${free} ms vs limited ${limited} ms`);
  const bad = await d.docker(['run', '--rm', '--label', 'io.berth.network.egress-rate=fast', 'busybox', 'true']);
  assert.match(bad.stderr, /invalid rate "fast"/);
  await d.docker(['rm', '-f', 'berth-test-bw']);
});

test('the firewall table is restored when someone deletes it', async () => {
  await webServer('berth-test-fw', ['-p', '18482:80']);
  assert.equal(await fetchUntil('http://127.0.0.1:18482/', 'hello-berth-test-fw'), 'hello-berth-test-fw');
  await run('nft', ['delete', 'table', 'inet', d.firewallTable]);
  const back = await eventually(async () => (await fetchFromHost('http://127.0.0.1:18482/')).trim() === 'hello-berth-test-fw', 10_000, 300);
  assert.ok(back, 'the published port works again once berthd restored its table');
  await d.docker(['rm', '-f', 'berth-test-fw']);
});

test('a daemon restart keeps running containers reachable and their addresses taken', async () => {
  await webServer('berth-test-live', ['-p', '18483:80']);
  const before = (await inspect('berth-test-live')).NetworkSettings.IPAddress as string;
  await d.kill9();
  await d.start();
  assert.equal(await fetchUntil('http://127.0.0.1:18483/', 'hello-berth-test-live'), 'hello-berth-test-live');
  const after = await inspect('berth-test-live');
  assert.equal(after.NetworkSettings.IPAddress, before);
  // New containers never get the address of one that kept running.
  const ips = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ip -4 addr show eth0 | grep -o "inet [0-9.]*"']);
    ips.add(r.stdout.trim().replace('inet ', ''));
  }
  assert.ok(!ips.has(before), `${[...ips].join(',')} vs ${before}`);
  // A container that dies while berthd is down: its namespace goes at the next start.
  const pid = (await inspect('berth-test-live') as unknown as { State: { Pid: number } }).State.Pid;
  const id = ((await inspect('berth-test-live')) as unknown as { Id: string }).Id;
  await d.kill9();
  process.kill(pid, 'SIGKILL');
  await sleep(300);
  await d.start();
  const gone = await eventually(() => !existsSync(`/run/netns/${d.netnsPrefix}${id.slice(0, 12)}`), 5000, 100);
  assert.ok(gone, 'the dead container\'s namespace was removed at start');
  assert.equal(await fetchFromHost('http://127.0.0.1:18483/'), '');
  await d.docker(['rm', '-f', 'berth-test-live']);
});

test('nothing is left behind: namespaces and host veths of removed containers are gone', async () => {
  await sleep(300);
  const ids = readdirSync(`${d.dataRoot}/containers`);
  assert.deepEqual(ids, []);
  const left = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(d.netnsPrefix)) : [];
  const links = await sh('ip -o link show');
  const veths = links.split('\n').filter((l) => / vb[0-9a-f]{12}@/.test(l));
  assert.deepEqual({ left, veths }, { left: [], veths: [] });
});
