import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPool } from './ipam.ts';
import { parseCidr, parseIp, overlaps, formatCidr, containsCidr, macFor } from './cidr.ts';

const pool = (subnet: string, gw: string, range?: string, aux: string[] = []): AddressPool =>
  new AddressPool({ subnet: parseCidr(subnet), gateway: parseIp(gw).value, ...(range ? { range: parseCidr(range) } : {}), reserved: aux.map((a) => parseIp(a).value) });

test('allocates in order, skipping network, gateway and reserved addresses', () => {
  const p = pool('10.9.0.0/29', '10.9.0.1', undefined, ['10.9.0.3']);
  assert.deepEqual([p.allocate(), p.allocate(), p.allocate(), p.allocate()], ['10.9.0.2', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
  assert.throws(() => p.allocate(), /no available IPv4 addresses/);
});

test('a released address is not reused before the others', () => {
  const p = pool('10.9.0.0/24', '10.9.0.1');
  const a = p.allocate();
  p.release(a);
  assert.equal(p.allocate(), '10.9.0.3');
});

test('static addresses: taken, gateway, outside the subnet', () => {
  const p = pool('10.9.0.0/24', '10.9.0.1');
  assert.equal(p.allocate('10.9.0.50'), '10.9.0.50');
  assert.throws(() => p.allocate('10.9.0.50'), /Address already in use/);
  assert.throws(() => p.allocate('10.9.0.1'), /Address already in use/);
  assert.throws(() => p.allocate('10.8.0.5'), /no configured subnet or ip-range contain the IP address 10.8.0.5/);
  assert.throws(() => p.allocate('fd00::5'), /no configured subnet/);
});

test('dynamic addresses come from the ip-range; markUsed is honoured', () => {
  const p = pool('10.9.0.0/24', '10.9.0.1', '10.9.0.128/30');
  p.markUsed('10.9.0.128');
  assert.deepEqual([p.allocate(), p.allocate(), p.allocate()], ['10.9.0.129', '10.9.0.130', '10.9.0.131']);
  assert.throws(() => p.allocate(), /no available/);
  assert.equal(p.allocate('10.9.0.7'), '10.9.0.7');
});

test('IPv6 pools', () => {
  const p = pool('fd00:1::/64', 'fd00:1::1');
  assert.equal(p.allocate(), 'fd00:1::2');
  assert.equal(p.allocate('fd00:1::abcd'), 'fd00:1::abcd');
});

test('cidr parsing and overlap', () => {
  const cases: [string, string, boolean][] = [
    ['10.0.0.0/8', '10.1.0.0/16', true], ['10.1.0.0/16', '10.2.0.0/16', false], ['192.168.1.0/24', '192.168.1.128/25', true],
    ['fd00::/64', 'fd00::/48', true], ['10.0.0.0/8', 'fd00::/8', false],
  ];
  for (const [a, b, want] of cases) assert.equal(overlaps(parseCidr(a), parseCidr(b)), want, `${a} ${b}`);
  assert.equal(formatCidr(parseCidr('10.1.2.3/16')), '10.1.0.0/16');
  assert.equal(containsCidr(parseCidr('10.0.0.0/8'), parseCidr('10.3.0.0/16')), true);
  assert.throws(() => parseCidr('10.0.0.0/33'), /invalid CIDR address/);
  assert.throws(() => parseCidr('10.0.0.0'), /invalid CIDR address/);
  assert.throws(() => parseCidr('300.0.0.0/8'), /invalid IP address/);
  assert.equal(macFor(4, parseIp('10.213.0.2').value), '02:42:0a:d5:00:02');
});
