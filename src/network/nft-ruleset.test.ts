import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncScript, expectedShape, forwardAcceptScript, type FwState } from './nft-ruleset.ts';

const state: FwState = {
  networks: [
    { bridge: 'berth0', subnets: ['10.213.0.0/16'], internal: false, masquerade: true, icc: true },
    { bridge: 'brth-internal', subnets: ['10.9.0.0/24', 'fd00:9::/64'], internal: true, masquerade: true, icc: false },
  ],
  ports: [
    { proto: 'tcp', hostIp: '', hostPort: 8080, family: 4, containerIp: '10.213.0.2', containerPort: 80 },
    { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, family: 4, containerIp: '10.213.0.2', containerPort: 53 },
    { proto: 'tcp', hostIp: '', hostPort: 8080, family: 6, containerIp: 'fd00:9::2', containerPort: 80 },
    { proto: 'tcp', hostIp: '', hostPort: 8080, family: 4, containerIp: '10.213.0.9', containerPort: 81 },
  ],
};

test('the sync script is one transaction that never flushes the user chain', () => {
  const s = syncScript('berth', state);
  assert.match(s, /^add table inet berth$/m);
  assert.match(s, /^add chain inet berth user$/m);
  assert.doesNotMatch(s, /flush chain inet berth user/);
  assert.doesNotMatch(s, /delete table/);
  for (const c of ['forward', 'prerouting', 'output', 'postrouting', 'publish']) assert.match(s, new RegExp(`^flush chain inet berth ${c}$`, 'm'));
});

test('elements: bridges, internal ones, pairs only with icc, masquerade only for non-internal', () => {
  const s = syncScript('berth', state);
  assert.match(s, /add element inet berth bridges \{ "berth0", "brth-internal" \}/);
  assert.match(s, /add element inet berth internal_bridges \{ "brth-internal" \}/);
  assert.match(s, /add element inet berth bridge_pairs \{ "berth0" \. "berth0" \}/);
  assert.match(s, /add element inet berth masq4 \{ 10\.213\.0\.0\/16 \}/);
  assert.doesNotMatch(s, /add element inet berth masq6/);
});

test('ports: any-address and per-address maps per family; a duplicate host port keeps the first', () => {
  const s = syncScript('berth', state);
  assert.match(s, /add element inet berth ports4_any \{ tcp \. 8080 : 10\.213\.0\.2 \. 80 \}/);
  assert.match(s, /add element inet berth ports4 \{ 127\.0\.0\.1 \. udp \. 5353 : 10\.213\.0\.2 \. 53 \}/);
  assert.match(s, /add element inet berth ports6_any \{ tcp \. 8080 : fd00:9::2 \. 80 \}/);
  assert.doesNotMatch(s, /10\.213\.0\.9/);
});

test('expected shape counts rules and elements', () => {
  const shape = expectedShape(state);
  assert.equal(shape.rules, 16);
  // bridges 2 + internal 1 + pairs 1 + masq4 1 + ports 3
  assert.equal(shape.elements, 8);
  assert.equal(expectedShape({ networks: [], ports: [] }).elements, 0);
});

test('forward accept rules carry the comment used to find them again', () => {
  const s = forwardAcceptScript(['berth0'], 'berth:berth');
  assert.equal(s, 'insert rule ip filter FORWARD oifname "berth0" counter accept comment "berth:berth"\ninsert rule ip filter FORWARD iifname "berth0" counter accept comment "berth:berth"\n');
});
