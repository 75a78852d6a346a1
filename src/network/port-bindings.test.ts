import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portRequests, parsePortKey } from './port-bindings.ts';

test('port bindings to publish requests', () => {
  const cases: [Parameters<typeof portRequests>[0], ReturnType<typeof portRequests>][] = [
    [{ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } }, [{ proto: 'tcp', containerPort: 80, hostIp: '', hostPortFrom: 8080, hostPortTo: 8080 }]],
    [{ PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } }, [{ proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPortFrom: 0, hostPortTo: 0 }]],
    [{ PortBindings: { '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }] } }, [{ proto: 'udp', containerPort: 53, hostIp: '', hostPortFrom: 5353, hostPortTo: 5353 }]],
    [{ PortBindings: { '80-81/tcp': [{ HostPort: '9080-9081' }] } }, [
      { proto: 'tcp', containerPort: 80, hostIp: '', hostPortFrom: 9080, hostPortTo: 9080 },
      { proto: 'tcp', containerPort: 81, hostIp: '', hostPortFrom: 9081, hostPortTo: 9081 }]],
    [{ PortBindings: { '80/tcp': [{ HostPort: '9000-9010' }] } }, [{ proto: 'tcp', containerPort: 80, hostIp: '', hostPortFrom: 9000, hostPortTo: 9010 }]],
    [{ PublishAllPorts: true, ExposedPorts: { '80/tcp': {}, '90/udp': {} }, PortBindings: { '80/tcp': [{ HostPort: '8080' }] } }, [
      { proto: 'tcp', containerPort: 80, hostIp: '', hostPortFrom: 8080, hostPortTo: 8080 },
      { proto: 'udp', containerPort: 90, hostIp: '', hostPortFrom: 0, hostPortTo: 0 }]],
    [{ PortBindings: { '80/tcp': null } }, [{ proto: 'tcp', containerPort: 80, hostIp: '', hostPortFrom: 0, hostPortTo: 0 }]],
    [{ PortBindings: { '80/tcp': [{ HostIp: '[::1]', HostPort: '8080' }] } }, [{ proto: 'tcp', containerPort: 80, hostIp: '::1', hostPortFrom: 8080, hostPortTo: 8080 }]],
  ];
  for (const [input, want] of cases) assert.deepEqual(portRequests(input), want, JSON.stringify(input));
});

test('bad port specs are refused with go-connections wording', () => {
  assert.throws(() => parsePortKey('80/icmp'), /invalid proto 'icmp'/);
  assert.throws(() => parsePortKey('x/tcp'), /invalid port 'x'/);
  assert.throws(() => parsePortKey('70000/tcp'), /invalid port '70000'/);
  assert.throws(() => portRequests({ PortBindings: { '80/tcp': [{ HostPort: 'abc' }] } }), /invalid hostPort 'abc'/);
  assert.throws(() => portRequests({ PortBindings: { '80-82/tcp': [{ HostPort: '90-91' }] } }), /invalid ranges specified/);
  assert.throws(() => portRequests({ PortBindings: { '80/tcp': [{ HostIp: 'nope', HostPort: '1' }] } }), /invalid IP address: nope/);
});
