import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Volume, VolumeCreateRequest } from '../../../api/types/index.ts';
import { errorFromStatus, type Filters } from '../../../client/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const vol = (name: string, labels: Record<string, string> | null = null): Volume => ({
  CreatedAt: '2024-05-01T10:00:00Z', Driver: 'local', Labels: labels, Mountpoint: `/var/lib/berth/volumes/${name}/_data`, Name: name, Options: null, Scope: 'local',
});

test('volume create sends docker\'s body and prints the name', async () => {
  let body: VolumeCreateRequest | undefined;
  const client = fakeClient({ volumes: { create: async (req) => { body = req; return vol(req.Name || 'generated'); } } });
  const r = await runTest(['volume', 'create', '--label', 'a=b', '-o', 'type=tmpfs', '--opt', 'device=tmpfs', 'data'], { client });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'data\n');
  assert.deepEqual(body, { Name: 'data', Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' }, Labels: { a: 'b' } });
  const conflict = await runTest(['volume', 'create', '--name', 'x1', 'x2'], { client });
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.err, /conflicting options: either specify --name or provide positional arg, not both/);
});

test('volume ls: docker\'s table sorted by name, -q, --format, filters sent as JSON', async () => {
  let filters: Filters | undefined;
  const client = fakeClient({ volumes: { list: async (o) => { filters = o?.filters; return { Volumes: [vol('zeta'), vol('alpha', { app: 'web' })], Warnings: null }; } } });
  const r = await runTest(['volume', 'ls'], { client });
  assert.equal(r.out, 'DRIVER    VOLUME NAME\nlocal     alpha\nlocal     zeta\n');
  assert.equal((await runTest(['volume', 'ls', '-q'], { client })).out, 'alpha\nzeta\n');
  const f = await runTest(['volume', 'ls', '--format', '{{.Name}}:{{.Labels}}:{{.Label "app"}}:{{.Links}}', '-f', 'dangling=true', '--filter', 'label=app'], { client });
  assert.equal(f.out, 'alpha:app=web:web:N/A\nzeta:::N/A\n');
  assert.deepEqual([...filters!.entries()], [['dangling', ['true']], ['label', ['app']]]);
});

test('volume rm prints what it removed and reports failures with exit 1', async () => {
  const client = fakeClient({ volumes: { remove: async (name) => {
    if (name === 'gone') throw errorFromStatus(404, 'get gone: no such volume');
    if (name === 'used') throw errorFromStatus(409, 'remove used: volume is in use - [abc]');
  } } });
  const r = await runTest(['volume', 'rm', 'a1', 'gone', 'used'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a1\n');
  assert.equal(r.err, 'Error response from daemon: get gone: no such volume\nError response from daemon: remove used: volume is in use - [abc]\n');
});

test('volume prune asks first, sends all=true with --all, prints docker\'s report', async () => {
  let sent: Filters | undefined;
  const client = fakeClient({ volumes: { prune: async (o) => { sent = o?.filters; return { VolumesDeleted: ['v1', 'v2'], SpaceReclaimed: 2_500_000 }; } } });
  const no = await runTest(['volume', 'prune'], { client, stdin: 'n\n' });
  assert.equal(no.code, 0);
  assert.equal(no.out, 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  assert.equal(sent, undefined);
  const yes = await runTest(['volume', 'prune', '-a', '--filter', 'label=x'], { client, stdin: 'y\n' });
  assert.equal(yes.out, 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] Deleted Volumes:\nv1\nv2\n\nTotal reclaimed space: 2.5MB\n');
  assert.deepEqual([...sent!.entries()], [['label', ['x']], ['all', ['true']]]);
  const forced = await runTest(['volume', 'prune', '-f'], { client: fakeClient({ volumes: { prune: async () => ({ VolumesDeleted: null, SpaceReclaimed: 0 }) } }) });
  assert.equal(forced.out, 'Total reclaimed space: 0B\n');
});

test('run --mount and --volumes-from reach the create body', async () => {
  let body: unknown;
  const client = fakeClient({ containers: { create: async (b) => { body = b; return { Id: 'c'.repeat(64), Warnings: [] }; } } });
  const r = await runTest(['create', '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m', '--volumes-from', 'db:ro', '-v', 'data:/data', 'busybox'], { client });
  assert.equal(r.code, 0, r.err);
  const h = (body as { HostConfig: Record<string, unknown> }).HostConfig;
  assert.deepEqual(h.Mounts, [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576 } }]);
  assert.deepEqual(h.VolumesFrom, ['db:ro']);
  assert.deepEqual(h.Binds, ['data:/data']);
  await runTest(['create', '-v', './rel:/r:ro', '--mount', 'type=bind,source=./m,target=/m', '-v', 'named:/n', 'busybox'], { client });
  const h2 = (body as { HostConfig: { Binds: string[]; Mounts: { Source: string }[] } }).HostConfig;
  assert.deepEqual(h2.Binds, [`${process.cwd()}/rel:/r:ro`, 'named:/n'], 'relative host paths become absolute, as docker CLI 23+ does');
  assert.equal(h2.Mounts[0]!.Source, `${process.cwd()}/m`);
  const bad = await runTest(['create', '--mount', 'type=bind,source=/x', 'busybox'], { client });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /invalid argument "type=bind,source=\/x" for "--mount" flag: target is required/);
});

test('system df: docker\'s summary rows with active counts and reclaimable space', async () => {
  const du = {
    LayersSize: 4_000_000,
    Images: [{ Id: 'sha256:' + 'a'.repeat(64), ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: 1714557600, Size: 4_000_000, SharedSize: 0, Labels: {}, Containers: 1 }],
    Containers: [
      { Id: 'b'.repeat(64), Names: ['/up'], Image: 'busybox', ImageID: 'x', Command: 'sleep 9', Created: 1714557600, Ports: [], SizeRw: 1000, Labels: {}, State: 'running' as const, Status: 'Up', HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: {} }, Mounts: [] },
      { Id: 'c'.repeat(64), Names: ['/down'], Image: 'busybox', ImageID: 'x', Command: 'true', Created: 1714557600, Ports: [], SizeRw: 3000, Labels: {}, State: 'exited' as const, Status: 'Exited (0)', HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: {} }, Mounts: [] },
    ],
    Volumes: [{ ...vol('used'), UsageData: { Size: 2000, RefCount: 1 } }, { ...vol('idle'), UsageData: { Size: 6000, RefCount: 0 } }],
    BuildCache: [],
  };
  const client = fakeClient({ volumes: { diskUsage: async () => du } });
  const r = await runTest(['system', 'df'], { client });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, [
    'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
    'Images          1         1         4MB       0B (0%)',
    'Containers      2         1         4kB       3kB (75%)',
    'Local Volumes   2         1         8kB       6kB (75%)',
    'Build Cache     0         0         0B        0B',
    '',
  ].join('\n'));
  const v = await runTest(['system', 'df', '-v'], { client, now: new Date(1714557600_000 + 5000) });
  assert.match(v.out, /Local Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\nused\s+1\s+2kB\nidle\s+0\s+6kB\n/);
  assert.match(v.out, /\nBuild cache usage: 0B\n\nCACHE ID\s+CACHE TYPE/);
});
