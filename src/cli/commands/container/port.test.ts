import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInspect } from '../../../api/types/index.ts';
import { DAEMON_ERROR_CODE } from '../../../client/index.ts';
import { NotFoundError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const ports = {
  '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
  '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
  '443/tcp': null,
  '9000/tcp': [{ HostIp: '0.0.0.0', HostPort: '9000' }],
};

function client(p: Record<string, unknown> | null = ports) {
  return fakeClient({
    containers: {
      inspect: async (id) => {
        if (id === 'gone') throw new NotFoundError('No such container: gone', { code: DAEMON_ERROR_CODE });
        const value = { Id: 'abc', Name: '/web', NetworkSettings: { Ports: p } } as unknown as ContainerInspect;
        return { value, raw: JSON.stringify(value) };
      },
    },
  });
}

test('port lists every published binding in natural order', async () => {
  const r = await runTest(['port', 'web'], { client: client() });
  assert.equal(r.code, 0);
  assert.equal(r.out, '53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n9000/tcp -> 0.0.0.0:9000\n');
  assert.equal((await runTest(['container', 'port', 'web'], { client: client() })).out.split('\n').length, 5);
  assert.equal((await runTest(['port', 'web'], { client: client(null) })).out, '');
});

test('port with PRIVATE_PORT[/PROTO]', async () => {
  assert.equal((await runTest(['port', 'web', '80'], { client: client() })).out, '0.0.0.0:8080\n[::]:8080\n');
  assert.equal((await runTest(['port', 'web', '80/tcp'], { client: client() })).out, '0.0.0.0:8080\n[::]:8080\n');
  assert.equal((await runTest(['port', 'web', '53/udp'], { client: client() })).out, '127.0.0.1:5353\n');
  const cases: [string, string][] = [
    ['81/tcp', "Error: No public port '81/tcp' published for web\n"],
    ['81', "Error: No public port '81' published for web\n"],
    ['443', "Error: No public port '443' published for web\n"],
    ['53', "Error: No public port '53' published for web\n"],
    ['abc', 'Error: invalid port (abc): strconv.ParseUint: parsing "abc": invalid syntax\n'],
    ['70000/tcp', 'Error: invalid port (70000): strconv.ParseUint: parsing "70000": value out of range\n'],
  ];
  for (const [port, err] of cases) {
    const r = await runTest(['port', 'web', port], { client: client() });
    assert.equal(r.code, 1, port);
    assert.equal(r.err, err, port);
  }
  const gone = await runTest(['port', 'gone'], { client: client() });
  assert.equal(gone.err, 'Error response from daemon: No such container: gone\n');
  assert.equal((await runTest(['port'], { client: client() })).code, 1);
});
