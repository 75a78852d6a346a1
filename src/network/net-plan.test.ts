import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxUpScript, sandboxDownScript, bridgeUpScript, parseRate, checkIfname } from './net-plan.ts';

test('a sandbox with one endpoint is two ip batches, the namespace made in the first', () => {
  const s = sandboxUpScript('berth-abc', [{ hostIf: 'vb0123456789ab', ifname: 'eth0', bridge: 'berth0', mac: '02:42:0A:D5:00:02', address: '10.213.0.2/16', gateway: '10.213.0.1' }]);
  assert.match(s, /^ip -batch - <<'BERTH_EOF'\nnetns add berth-abc\nlink add /);
  assert.match(s, /link add vb0123456789ab type veth peer name eth0 address 02:42:0a:d5:00:02 netns berth-abc/);
  assert.match(s, /link set dev vb0123456789ab master berth0 up/);
  assert.match(s, /ip -n berth-abc -batch - <<'BERTH_EOF'\naddr add 10.213.0.2\/16 dev eth0\nlink set dev eth0 up\nroute add default via 10.213.0.1 dev eth0\nlink set dev lo up\nBERTH_EOF/);
  assert.equal((s.match(/^ip /gm) ?? []).length, 2);
});

test('bandwidth limits become tbf qdiscs on both ends', () => {
  const s = sandboxUpScript('ns1', [{ hostIf: 'vbx', ifname: 'eth0', bridge: 'br', mac: '02:42:00:00:00:01', address: '10.0.0.2/24', ingressRate: '8mbit', egressRate: '1mbps' }]);
  assert.match(s, /tc qdisc add dev vbx root tbf rate 8000000bit burst 65536 latency 50ms/);
  assert.match(s, /tc -n ns1 qdisc add dev eth0 root tbf rate 8000000bit/);
});

test('names and rates are validated', () => {
  assert.throws(() => checkIfname('a;rm -rf /'), /invalid interface name/);
  assert.throws(() => checkIfname('x'.repeat(16)), /invalid interface name/);
  assert.throws(() => sandboxUpScript('ns', [{ hostIf: 'v', ifname: 'eth0', bridge: 'b', mac: 'zz', address: '1.2.3.4/8' }]), /invalid MAC/);
  const rates: [string, number][] = [['8mbit', 8e6], ['100kbit', 1e5], ['1mbps', 8e6], ['2g', 2e9], ['1.5mbit', 1.5e6]];
  for (const [t, v] of rates) assert.equal(parseRate(t), v, t);
  assert.throws(() => parseRate('fast'), /invalid rate/);
  assert.throws(() => parseRate('10bit'), /at least 8kbit/);
});

test('bridge up is idempotent shell, down never fails', () => {
  const s = bridgeUpScript({ name: 'berth0', addresses: ['10.213.0.1/16', 'fd00:213::1/64'], ipv6: true });
  assert.match(s, /ip link show dev berth0 >\/dev\/null 2>&1 \|\| ip link add berth0 type bridge/);
  assert.match(s, /ip addr replace fd00:213::1\/64 dev berth0 nodad/);
  assert.match(s, /route_localnet/);
  assert.equal(sandboxDownScript('ns', ['v1']), 'ip link del dev v1 2>/dev/null || true\nip netns del ns 2>/dev/null || true');
});
