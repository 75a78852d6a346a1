import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../../../api/types/index.ts';
import type { ListOptions } from '../../../client/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const now = new Date('2024-05-01T12:00:00Z');
const created = Math.floor(now.getTime() / 1000) - 65;

const containers: ContainerSummary[] = [{
  Id: '1'.repeat(64), Names: ['/web'], Image: 'busybox:latest', ImageID: 'sha256:' + '2'.repeat(64), Command: 'sleep 1000',
  Created: created, Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }], Labels: { app: 'web' },
  State: 'running', Status: 'Up About a minute', HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: { bridge: {} } },
  Mounts: [], SizeRw: 0, SizeRootFs: 2_140_000,
}];

function client(seen: ListOptions[]) {
  return fakeClient({ containers: { list: async (o) => { seen.push(o ?? {}); return containers; } } });
}

test('ps prints the default table', async () => {
  const seen: ListOptions[] = [];
  const r = await runTest(['ps'], { client: client(seen), now });
  assert.equal(r.code, 0);
  assert.equal(r.out, [
    'CONTAINER ID   IMAGE            COMMAND        CREATED              STATUS              PORTS                  NAMES',
    '111111111111   busybox:latest   "sleep 1000"   About a minute ago   Up About a minute   0.0.0.0:8080->80/tcp   web',
    '',
  ].join('\n'));
  assert.deepEqual(seen, [{ all: false, limit: -1, size: false, filters: new Map() }]);
});

test('ps flags map to the list query', async () => {
  const cases: { argv: string[]; want: ListOptions }[] = [
    { argv: ['ps', '-a'], want: { all: true, limit: -1, size: false, filters: new Map() } },
    { argv: ['ps', '-n', '3'], want: { all: false, limit: 3, size: false, filters: new Map() } },
    { argv: ['ps', '-l'], want: { all: false, limit: 1, size: false, filters: new Map() } },
    { argv: ['ps', '-s'], want: { all: false, limit: -1, size: true, filters: new Map() } },
    { argv: ['ps', '-f', 'status=exited', '--filter', 'label=a'], want: { all: false, limit: -1, size: false, filters: new Map([['status', ['exited']], ['label', ['a']]]) } },
    { argv: ['ps', '--format', '{{.Size}}'], want: { all: false, limit: -1, size: true, filters: new Map() } },
    { argv: ['ps', '--format', '{{.Size}}', '--size=false'], want: { all: false, limit: -1, size: false, filters: new Map() } },
    { argv: ['container', 'list', '-q', '--format', '{{.Size}}'], want: { all: false, limit: -1, size: false, filters: new Map() } },
  ];
  for (const c of cases) {
    const seen: ListOptions[] = [];
    const r = await runTest(c.argv, { client: client(seen), now });
    assert.equal(r.code, 0, `${c.argv.join(' ')}: ${r.err}`);
    assert.deepEqual(seen, [c.want], c.argv.join(' '));
  }
});

test('ps -q, --no-trunc and custom formats', async () => {
  assert.equal((await runTest(['ps', '-q'], { client: client([]), now })).out, '111111111111\n');
  assert.equal((await runTest(['ps', '-q', '--no-trunc'], { client: client([]), now })).out, `${'1'.repeat(64)}\n`);
  const r = await runTest(['ps', '--format', 'table {{.Names}}\\t{{.Label "app"}}\\t{{.Size}}'], { client: client([]), now });
  // docker's header map has a Label method: the column is titled after the label key.
  assert.equal(r.out, 'NAMES     app       SIZE\nweb       web       0B (virtual 2.14MB)\n');
  const q = await runTest(['ps', '-q', '--format', '{{.Names}}'], { client: client([]), now });
  assert.equal(q.err, 'WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
  assert.equal(q.out, '111111111111\n');
});

test('ps rejects bad templates and filters', async () => {
  const r = await runTest(['ps', '--format', '{{.Nope}}'], { client: client([]), now });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'failed to execute template: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext\n');
  const f = await runTest(['ps', '-f', 'nope'], { client: client([]), now });
  assert.equal(f.code, 125);
  assert.match(f.err, /^invalid argument "nope" for "-f, --filter" flag: bad format of filter \(expected name=value\)/);
});
