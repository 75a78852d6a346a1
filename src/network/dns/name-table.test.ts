import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { decide, decodeQuery, encodeForUdp, LOCAL_TTL, type Query } from './answer.ts';
import { CompiledTable, expandIPv6, reverseName, type LookupResult } from './name-table.ts';
import { nameserversFromResolvConf, parseUpstream } from './upstream.ts';

/** dns-packet's decoded reply, with the fields its typings leave out (rcode, answer data). */
interface Reply {
  id: number; type: string; rcode: string; flag_tc: boolean; flag_rd: boolean; flag_ra: boolean;
  answers: { type: string; data: unknown; ttl?: number }[];
  additionals: { type: string }[];
}
function asReply(p: dnsPacket.DecodedPacket): Reply {
  return p as unknown as Reply;
}

const table = new CompiledTable({
  network: 'appnet',
  endpoints: [
    { names: ['web', 'frontend', 'abcdef012345'], ipv4: '172.20.0.2', ipv6: 'fd00:1::2' },
    { names: ['Db', 'store', '0123456789ab'], ipv4: '172.20.0.3' },
    { names: ['db-replica', 'store'], ipv4: '172.20.0.4' },
    { names: ['v6only'], ipv6: 'fd00:1::9' },
  ],
});

test('name table lookups', () => {
  const cases: [string, 4 | 6, LookupResult][] = [
    ['web', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['WEB.', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['frontend', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['abcdef012345', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['web', 6, { kind: 'found', addresses: ['fd00:1:0:0:0:0:0:2'] }],
    ['db', 4, { kind: 'found', addresses: ['172.20.0.3'] }],
    ['DB', 4, { kind: 'found', addresses: ['172.20.0.3'] }],
    ['db', 6, { kind: 'miss' }],
    ['v6only', 4, { kind: 'miss' }],
    ['store', 4, { kind: 'found', addresses: ['172.20.0.3', '172.20.0.4'] }],
    ['web.appnet', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['web.AppNet.', 4, { kind: 'found', addresses: ['172.20.0.2'] }],
    ['web.othernet', 4, { kind: 'unknown' }],
    ['example.com', 4, { kind: 'unknown' }],
    ['nosuch', 4, { kind: 'unknown' }],
    ['', 4, { kind: 'unknown' }],
  ];
  for (const [name, family, want] of cases) assert.deepEqual(table.lookup(name, family), want, `${name}/${family}`);
});

test('reverse names and PTR lookups', () => {
  assert.equal(reverseName('172.20.0.2'), '2.0.20.172.in-addr.arpa');
  assert.equal(reverseName('fd00:1::2'), `2.${'0.'.repeat(23)}1.0.0.0.0.0.d.f.ip6.arpa`);
  assert.deepEqual(expandIPv6('::ffff:1.2.3.4'), ['0000', '0000', '0000', '0000', '0000', 'ffff', '0102', '0304']);
  assert.equal(table.reverse('2.0.20.172.in-addr.arpa'), 'web.appnet');
  assert.equal(table.reverse('3.0.20.172.IN-ADDR.ARPA.'), 'Db.appnet');
  assert.equal(table.reverse(reverseName('fd00:1:0::9')), 'v6only.appnet');
  assert.equal(table.reverse('9.9.20.172.in-addr.arpa'), null);
  const noNetwork = new CompiledTable({ endpoints: [{ names: ['solo'], ipv4: '10.0.0.5' }] });
  assert.equal(noNetwork.reverse('5.0.0.10.in-addr.arpa'), 'solo');
});

function query(name: string, type: dnsPacket.RecordType, extra: Partial<dnsPacket.Packet> = {}): Query {
  const q = decodeQuery(dnsPacket.encode({ id: 7, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...extra }));
  assert.ok(q);
  return q;
}

test('decide: answer, miss, forward, errors', () => {
  const cases: [string, dnsPacket.RecordType, 'answer' | 'forward', string[]?, number?][] = [
    ['web', 'A', 'answer', ['172.20.0.2']],
    ['store', 'A', 'answer', ['172.20.0.3', '172.20.0.4']],
    ['db', 'AAAA', 'answer', []],
    ['web', 'AAAA', 'answer', ['fd00:1::2']],
    ['2.0.20.172.in-addr.arpa', 'PTR', 'answer', ['web.appnet']],
    ['8.8.8.8.in-addr.arpa', 'PTR', 'forward'],
    ['example.com', 'A', 'forward'],
    ['nosuch', 'A', 'forward'],
    ['web', 'MX', 'answer', []],
    ['nosuch', 'MX', 'forward'],
    ['web', 'TXT', 'forward'],
  ];
  for (const [name, type, action, data] of cases) {
    const d = decide(query(name, type), table);
    assert.equal(d.action, action, `${name} ${type}`);
    if (d.action !== 'answer' || data === undefined) continue;
    const reply = asReply(dnsPacket.decode(dnsPacket.encode(d.packet)));
    assert.equal(reply.id, 7);
    assert.equal(reply.type, 'response');
    assert.equal(reply.rcode, 'NOERROR');
    assert.equal(reply.flag_rd, true);
    assert.equal(reply.flag_ra, true);
    assert.deepEqual(reply.answers?.map((a) => a.data), data, `${name} ${type}`);
    for (const a of reply.answers ?? []) assert.equal(a.ttl, LOCAL_TTL);
  }
  assert.equal(decide(query('web', 'A'), undefined).action, 'forward');
  const many = decodeQuery(dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: 'a', type: 'A' }, { name: 'b', type: 'A' }] }));
  assert.ok(many);
  const formerr = decide(many, table);
  assert.equal(formerr.action === 'answer' && asReply(dnsPacket.decode(dnsPacket.encode(formerr.packet))).rcode, 'FORMERR');
  const none = decodeQuery(dnsPacket.encode({ id: 1, type: 'query', questions: [] }));
  assert.ok(none);
  assert.equal(decide(none, table).action, 'drop');
  const notify = decodeQuery(dnsPacket.encode({ id: 1, type: 'query', flags: 4 << 11, questions: [{ name: 'web', type: 'A' }] }));
  assert.ok(notify);
  const notimp = decide(notify, table);
  assert.equal(notimp.action === 'answer' && asReply(dnsPacket.decode(dnsPacket.encode(notimp.packet))).rcode, 'NOTIMP');
});

test('decide: round-robin rotation of shared names', () => {
  const order = (r: number): unknown[] => {
    const d = decide(query('store', 'A'), table, r);
    return d.action === 'answer' ? asReply(dnsPacket.decode(dnsPacket.encode(d.packet))).answers.map((a) => a.data) : [];
  };
  assert.deepEqual(order(0), ['172.20.0.3', '172.20.0.4']);
  assert.deepEqual(order(1), ['172.20.0.4', '172.20.0.3']);
  assert.deepEqual(order(2), ['172.20.0.3', '172.20.0.4']);
});

test('malformed input is not a query', () => {
  for (const bad of [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(12, 0xff), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
    assert.equal(decodeQuery(bad), null);
  }
  const response = dnsPacket.encode({ id: 1, type: 'response', questions: [{ name: 'a', type: 'A' }] });
  assert.equal(decodeQuery(response), null);
});

test('UDP truncation: over 512 bytes without EDNS sets TC', () => {
  const endpoints = Array.from({ length: 60 }, (_, i) => ({ names: ['crowd'], ipv4: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  const big = new CompiledTable({ network: 'n', endpoints });
  const plain = decide(query('crowd', 'A'), big);
  assert.equal(plain.action, 'answer');
  if (plain.action !== 'answer') return;
  const buf = encodeForUdp(plain.packet, 512);
  assert.ok(buf.length <= 512);
  const r = asReply(dnsPacket.decode(buf));
  assert.equal(r.flag_tc, true);
  assert.ok((r.answers?.length ?? 0) < 60);
  const edns = decide(query('crowd', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as dnsPacket.Answer] }), big);
  assert.equal(edns.action, 'answer');
  if (edns.action !== 'answer') return;
  const full = asReply(dnsPacket.decode(encodeForUdp(edns.packet, 4096)));
  assert.equal(full.flag_tc, false);
  assert.equal(full.answers?.length, 60);
  assert.equal(full.additionals?.[0]?.type, 'OPT');
});

test('mutated packets never make decide/encode throw', () => {
  const base = [
    dnsPacket.encode({ id: 1, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'web', type: 'A' }] }),
    dnsPacket.encode({
      id: 2, type: 'query', questions: [{ name: '2.0.20.172.in-addr.arpa', type: 'PTR' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer],
    }),
  ];
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = Buffer.from(base[i % 2]!);
    for (let k = 0; k <= i % 4; k++) b[rand(b.length)] = rand(256);
    const q = decodeQuery(b);
    if (!q) continue;
    decoded++;
    const d = decide(q, table, i);
    if (d.action === 'answer') encodeForUdp(d.packet, 512);
  }
  assert.ok(decoded > 1000);
});

test('upstreams: resolv.conf nameservers and address forms', () => {
  const conf = '# generated\nnameserver 127.0.0.53\nsearch example.com\n  nameserver   fe80::1%eth0 \nnameserver bogus\noptions edns0\nnameserver 1.1.1.1';
  assert.deepEqual(nameserversFromResolvConf(conf), ['127.0.0.53', 'fe80::1%eth0', '1.1.1.1']);
  assert.deepEqual(parseUpstream('1.1.1.1'), { host: '1.1.1.1', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('::1'), { host: '::1', port: 53 });
  assert.deepEqual(parseUpstream('[fd00::1]:5300'), { host: 'fd00::1', port: 5300 });
  assert.equal(parseUpstream('dns.example'), null);
  assert.equal(parseUpstream('1.1.1.1:99999'), null);
});
