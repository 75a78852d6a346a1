import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAEMON_ERROR_CODE, type EndpointSettings, type Filters, type NetworkCreateRequest, type NetworkSummary,
} from '../../../client/index.ts';
import { ConflictError, NotFoundError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';
import { createIpamConfig } from './ipam-config.ts';
import { naturalCompare } from './natural-order.ts';
import { goTimeFromRfc3339 } from './network-context.ts';

const daemon = { code: DAEMON_ERROR_CODE };
const hex = (c: string): string => c.repeat(64);

function net(name: string, id: string, extra: Partial<NetworkSummary> = {}): NetworkSummary {
  return {
    Name: name, Id: id, Created: '2024-05-01T12:00:00.123400Z', Scope: 'local', Driver: 'bridge', EnableIPv4: true,
    EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false,
    Ingress: false, Containers: {}, Options: {}, Labels: {}, ...extra,
  };
}

async function createBody(argv: string[]): Promise<{ body: NetworkCreateRequest | undefined; code: number; out: string; err: string }> {
  let body: NetworkCreateRequest | undefined;
  const client = fakeClient({ networks: { create: async (b) => { body = b; return { Id: hex('a'), Warning: '' }; } } });
  const r = await runTest(['network', 'create', ...argv], { client });
  return { body, ...r };
}

test('network create: the default body is docker 28\'s, the id is printed', async () => {
  const r = await createBody(['berth-test-net']);
  assert.equal(r.code, 0);
  assert.equal(r.out, `${hex('a')}\n`);
  assert.deepEqual(r.body, {
    Driver: 'bridge', Scope: '', IPAM: { Driver: 'default', Config: [], Options: {} }, Internal: false, Attachable: false,
    Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {}, Name: 'berth-test-net',
  });
});

test('network create: flags map onto the request', async () => {
  const r = await createBody([
    '-d', 'bridge', '--subnet', '172.28.0.0/16', '--ip-range', '172.28.5.0/24', '--gateway', '172.28.5.254',
    '--aux-address', 'router=172.28.1.5', '--subnet', 'fd00:28::/64', '--gateway', 'fd00:28::1', '--internal', '--ipv6',
    '--attachable', '--label', 'a=b', '--label', 'solo', '-o', 'com.docker.network.bridge.name=br-test', '--opt', 'mtu=1400',
    '--ipam-opt', 'x=y', 'berth-test-net',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.body, {
    Driver: 'bridge', Scope: '', EnableIPv6: true,
    IPAM: {
      Driver: 'default',
      Config: [
        { Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254', AuxiliaryAddresses: { router: '172.28.1.5' } },
        { Subnet: 'fd00:28::/64', Gateway: 'fd00:28::1' },
      ],
      Options: { x: 'y' },
    },
    Internal: true, Attachable: true, Ingress: false, ConfigOnly: false, ConfigFrom: null,
    Options: { 'com.docker.network.bridge.name': 'br-test', mtu: '1400' }, Labels: { a: 'b', solo: '' }, Name: 'berth-test-net',
  });
  assert.equal((await createBody(['--ipv6=false', '--ipv4=false', 'n'])).body?.EnableIPv6, false);
  assert.equal((await createBody(['--ipv4=false', 'n'])).body?.EnableIPv4, false);
  assert.deepEqual((await createBody(['--subnet', '10.1.0.0/16,10.2.0.0/16', 'n'])).body?.IPAM.Config, [{ Subnet: '10.1.0.0/16' }, { Subnet: '10.2.0.0/16' }]);
});

test('network create: argument and IPAM errors are docker\'s', async () => {
  const cases: [string[], number, string][] = [
    [['--gateway', '10.0.0.1', 'n'], 1, 'every ip-range or gateway must have a corresponding subnet\n'],
    [['--subnet', '10.0.0.0/8', '--subnet', '10.1.0.0/16', 'n'], 1, 'multiple overlapping subnet configuration is not supported\n'],
    [['--subnet', '10.0.0.0/24', '--gateway', '10.0.1.1', 'n'], 1, 'no matching subnet for gateway 10.0.1.1\n'],
    [['--subnet', '10.0.0.0/24', '--ip-range', '10.0.1.0/25', 'n'], 1, 'no matching subnet for range 10.0.1.0/25\n'],
    [['--subnet', '10.0.0.0/24', '--aux-address', 'r=10.9.9.9', 'n'], 1, 'no matching subnet for aux-address 10.9.9.9\n'],
    [['--subnet', 'nonsense', 'n'], 1, 'invalid subnet: invalid CIDR address: nonsense\n'],
  ];
  for (const [argv, code, err] of cases) {
    const r = await createBody(argv);
    assert.equal(r.code, code, argv.join(' '));
    assert.equal(r.err, err, argv.join(' '));
    assert.equal(r.body, undefined);
  }
  const noName = await createBody([]);
  assert.equal(noName.code, 1);
  assert.match(noName.err, /^berth: 'berth network create' requires 1 argument/);
  const badLabel = await createBody(['--label', '=x', 'n']);
  assert.equal(badLabel.code, 125);
  assert.match(badLabel.err, /^invalid argument "=x" for "--label" flag: invalid label '=x': empty name/);
});

test('createIpamConfig: ranges and gateways per subnet', () => {
  assert.throws(() => createIpamConfig({ subnets: ['10.0.0.0/16'], ipRanges: ['10.0.1.0/24', '10.0.2.0/24'], gateways: [], auxAddresses: {} }),
    /every ip-range or gateway must have a corresponding subnet/);
  assert.throws(() => createIpamConfig({ subnets: ['10.0.0.0/16', '10.1.0.0/16'], ipRanges: ['10.0.1.0/24', '10.0.2.0/24'], gateways: [], auxAddresses: {} }),
    /cannot configure multiple ranges \(10.0.2.0\/24, 10.0.1.0\/24\) on the same subnet \(10.0.0.0\/16\)/);
  assert.throws(() => createIpamConfig({ subnets: ['10.0.0.0/16', '10.1.0.0/16'], ipRanges: [], gateways: ['10.0.0.1', '10.0.0.2'], auxAddresses: {} }),
    /cannot configure multiple gateways \(10.0.0.2, 10.0.0.1\) for the same subnet \(10.0.0.0\/16\)/);
  assert.deepEqual(createIpamConfig({ subnets: ['2001:db8::/64', '10.0.0.0/24'], ipRanges: [], gateways: ['10.0.0.1', '2001:db8::1'], auxAddresses: {} }),
    [{ Subnet: '2001:db8::/64', Gateway: '2001:db8::1' }, { Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }]);
});

test('network ls: sorted table, -q, --no-trunc, filters, --format', async () => {
  let filters: Filters | undefined;
  const list = [
    net('net10', hex('c'), { Labels: { b: '2', a: '1' } }),
    net('bridge', hex('a')),
    net('net2', hex('b'), { Driver: 'bridge', Internal: true }),
    net('host', hex('d'), { Driver: 'host' }),
  ];
  const client = fakeClient({ networks: { list: async (o) => { filters = o?.filters; return list.map((n) => ({ ...n })); } } });
  const r = await runTest(['network', 'ls'], { client });
  assert.equal(r.out, [
    'NETWORK ID     NAME      DRIVER    SCOPE',
    'aaaaaaaaaaaa   bridge    bridge    local',
    'dddddddddddd   host      host      local',
    'bbbbbbbbbbbb   net2      bridge    local',
    'cccccccccccc   net10     bridge    local',
    '',
  ].join('\n'));
  assert.equal((await runTest(['network', 'list', '-q'], { client })).out, 'aaaaaaaaaaaa\ndddddddddddd\nbbbbbbbbbbbb\ncccccccccccc\n');
  assert.equal((await runTest(['network', 'ls', '-q', '--no-trunc'], { client })).out.split('\n')[0], hex('a'));
  await runTest(['network', 'ls', '-f', 'driver=bridge', '-f', 'label=a', '--filter', 'dangling=true'], { client });
  assert.deepEqual(filters, new Map([['driver', ['bridge']], ['label', ['a']], ['dangling', ['true']]]));
  const fmt = await runTest(['network', 'ls', '--format', '{{.Name}} {{.Internal}} {{.IPv6}} {{.Labels}} {{.Label "a"}} {{.CreatedAt}}', '-f', 'name=net'], { client });
  assert.equal(fmt.out.split('\n')[3], 'net10 false false a=1,b=2 1 2024-05-01 12:00:00.1234 +0000 UTC');
  assert.equal(fmt.out.split('\n')[2], 'net2 true false   2024-05-01 12:00:00.1234 +0000 UTC');
  const json = await runTest(['network', 'ls', '--format', 'json'], { client });
  assert.equal(JSON.parse(json.out.split('\n')[0]!).Name, 'bridge');
  const table = await runTest(['network', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}'], { client });
  assert.equal(table.out.split('\n')[0], 'NAME      DRIVER');
  const bad = await runTest(['network', 'ls', '-f', 'nonsense'], { client });
  assert.equal(bad.code, 125);
});

test('network inspect: raw JSON array, --format, missing networks', async () => {
  const client = fakeClient({
    networks: {
      inspect: async (id) => {
        if (id === 'gone') throw new NotFoundError('network gone not found', daemon);
        return { value: net(id, hex('e')), raw: JSON.stringify(net(id, hex('e'))) };
      },
    },
  });
  const r = await runTest(['network', 'inspect', 'a', 'b'], { client });
  assert.equal(r.code, 0);
  const parsed = JSON.parse(r.out) as NetworkSummary[];
  assert.deepEqual(parsed.map((n) => n.Name), ['a', 'b']);
  assert.match(r.out, /^\[\n    \{\n        "Name": "a",/);
  const f = await runTest(['network', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'a', 'gone'], { client });
  assert.equal(f.out, 'a bridge\n');
  assert.equal(f.err, 'Error response from daemon: network gone not found\n');
  assert.equal(f.code, 1);
});

test('network rm: names in order, each error on its own line, -f skips missing ones', async () => {
  const removed: string[] = [];
  const client = fakeClient({
    networks: {
      remove: async (id) => {
        if (id === 'gone') throw new NotFoundError('network gone not found', daemon);
        if (id === 'busy') throw new ConflictError('error while removing network: network busy id 1234 has active endpoints', daemon);
        removed.push(id);
      },
    },
  });
  const r = await runTest(['network', 'rm', 'a', 'gone', 'busy', 'b'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.err, 'Error response from daemon: network gone not found\nError response from daemon: error while removing network: network busy id 1234 has active endpoints\nexit status 1\n');
  const f = await runTest(['network', 'remove', '-f', 'gone', 'c'], { client });
  assert.equal(f.code, 0);
  assert.equal(f.out, 'c\n');
  assert.equal(f.err, '');
  assert.deepEqual(removed, ['a', 'b', 'c']);
});

test('network prune: asks, honours the answer, prints the deleted networks', async () => {
  let calls = 0;
  let filters: Filters | undefined;
  const client = fakeClient({ networks: { prune: async (o) => { calls++; filters = o?.filters; return { NetworksDeleted: ['n1', 'n2'] }; } } });
  const no = await runTest(['network', 'prune'], { client, stdin: 'n\n' });
  assert.equal(no.code, 0);
  assert.equal(no.out, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  assert.equal(calls, 0);
  const eof = await runTest(['network', 'prune'], { client });
  assert.equal(eof.code, 0);
  assert.equal(calls, 0);
  const yes = await runTest(['network', 'prune'], { client, stdin: ' Y \n' });
  assert.equal(yes.out.endsWith('[y/N] Deleted Networks:\nn1\nn2\n\n'), true);
  const forced = await runTest(['network', 'prune', '-f', '--filter', 'until=24h', '--filter', 'label=a=b'], { client });
  assert.equal(forced.out, 'Deleted Networks:\nn1\nn2\n\n');
  assert.deepEqual(filters, new Map([['until', ['24h']], ['label', ['a=b']]]));
  const none = fakeClient({ networks: { prune: async () => ({ NetworksDeleted: null }) } });
  assert.equal((await runTest(['network', 'prune', '-f'], { client: none })).out, '');
});

test('network connect / disconnect: request bodies', async () => {
  const seen: [string, string, EndpointSettings | null][] = [];
  const disc: [string, string, boolean | undefined][] = [];
  const client = fakeClient({
    networks: {
      connect: async (id, c, ep) => { seen.push([id, c, ep]); },
      disconnect: async (id, c, force) => { disc.push([id, c, force]); },
    },
  });
  const r = await runTest(['network', 'connect', '--alias', 'db', '--alias', 'store,cache', '--ip', '172.20.0.9', '--ip6', 'fd00::9', 'net1', 'web'], { client });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  assert.deepEqual(seen[0], ['net1', 'web', {
    IPAMConfig: { IPv4Address: '172.20.0.9', IPv6Address: 'fd00::9' }, Links: null, Aliases: ['db', 'store', 'cache'],
    MacAddress: '', DriverOpts: {}, GwPriority: 0, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '',
    IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  }]);
  await runTest(['network', 'connect', 'net1', 'web'], { client });
  assert.deepEqual(seen[1]?.[2]?.IPAMConfig, {});
  assert.deepEqual(seen[1]?.[2]?.Aliases, []);
  const bad = await runTest(['network', 'connect', '--ip', 'nope', 'net1', 'web'], { client });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /^invalid argument "nope" for "--ip" flag: invalid string being converted to IP address: nope/);
  assert.equal((await runTest(['network', 'connect', 'net1'], { client })).code, 1);
  await runTest(['network', 'disconnect', 'net1', 'web'], { client });
  await runTest(['network', 'disconnect', '-f', 'net1', 'web'], { client });
  assert.deepEqual(disc, [['net1', 'web', false], ['net1', 'web', true]]);
});

test('network group: help and unknown verbs', async () => {
  const help = await runTest(['network'], {});
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /Manage networks/);
  for (const verb of ['connect', 'create', 'disconnect', 'inspect', 'ls', 'prune', 'rm']) assert.match(help.out, new RegExp(`\\b${verb}\\b`));
  const unknown = await runTest(['network', 'frobnicate'], {});
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /unknown command: berth network frobnicate/);
});

test('natural order and Go time strings', () => {
  const names = ['net10', 'net2', 'Net1', 'a', 'net02', 'net1b', '10', '9'];
  assert.deepEqual([...names].sort(naturalCompare), ['9', '10', 'Net1', 'a', 'net1b', 'net2', 'net02', 'net10']);
  assert.deepEqual(['net10', 'net2', 'net1'].sort(naturalCompare), ['net1', 'net2', 'net10']);
  assert.deepEqual(['b', '1', 'a'].sort(naturalCompare), ['1', 'a', 'b']);
  assert.equal(goTimeFromRfc3339('2024-05-01T12:00:00Z'), '2024-05-01 12:00:00 +0000 UTC');
  assert.equal(goTimeFromRfc3339('2024-05-01T12:00:00.500000000Z'), '2024-05-01 12:00:00.5 +0000 UTC');
  assert.equal(goTimeFromRfc3339('2024-05-01T14:00:00.000000001+02:00'), '2024-05-01 14:00:00.000000001 +0200 +0200');
});
