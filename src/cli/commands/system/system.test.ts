import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnavailableError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';
import { formatServerInfo } from './info.ts';
import { reformatDate } from './version.ts';
import { formatEvent } from './events.ts';

const version = {
  Platform: { Name: 'berth' }, Components: [{ Name: 'Engine', Version: '0.1.0', Details: { ApiVersion: '1.50', MinAPIVersion: '1.24', GitCommit: 'abc', GoVersion: 'node', Os: 'linux', Arch: 'amd64', BuildTime: '2024-05-01T10:00:00Z', Experimental: 'false' } }],
  Version: '0.1.0', ApiVersion: '1.50', MinAPIVersion: '1.24', GitCommit: 'abc', GoVersion: 'node', Os: 'linux', Arch: 'amd64', KernelVersion: '6', BuildTime: '2024-05-01T10:00:00Z',
};

test('version renders docker\'s template', async () => {
  const r = await runTest(['version'], { client: fakeClient({ system: { version: async () => version } }) });
  assert.equal(r.code, 0);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'Client:');
  assert.match(lines[1]!, /^ Version: {11}0\.1\.0$/);
  assert.equal(lines[8], '');
  assert.equal(lines[9], 'Server: berth');
  assert.equal(lines[10], ' Engine:');
  assert.equal(lines[11], '  Version:          0.1.0');
  assert.equal(lines[12], '  API version:      1.50 (minimum version 1.24)');
  assert.equal(lines[15], '  Built:            Wed May  1 10:00:00 2024');
  const f = await runTest(['version', '--format', '{{.Server.Version}} {{.Client.APIVersion}}'], { client: fakeClient({ system: { version: async () => version } }) });
  assert.equal(f.out, '0.1.0 1.50\n');
  const j = await runTest(['version', '-f', 'json'], { client: fakeClient({ system: { version: async () => version } }) });
  assert.match(j.out, /^\{"Client":\{"Version":"0\.1\.0","ApiVersion":"1\.50",/);
});

test('version without a daemon prints the client part and fails', async () => {
  const down = fakeClient({ system: { version: async () => { throw new UnavailableError('Cannot connect to the berth daemon at unix:///x. Is the berth daemon running?'); } } });
  const r = await runTest(['version'], { client: down });
  assert.equal(r.code, 1);
  assert.match(r.out, /^Client:\n Version: .*\n(.*\n){6}$/);
  assert.equal(r.err, 'Cannot connect to the berth daemon at unix:///x. Is the berth daemon running?\n');
});

test('info prints the server section like docker', () => {
  const { text, warnings } = formatServerInfo({
    Containers: 3, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 2, Images: 1, ServerVersion: '0.1.0',
    Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Plugins: { Volume: ['local'], Network: ['bridge', 'host'], Log: ['json-file'] },
    Swarm: { LocalNodeState: 'inactive' }, Runtimes: { crun: {}, runc: {} }, DefaultRuntime: 'crun', OSType: 'linux',
    SecurityOptions: ['name=seccomp,profile=builtin'], NCPU: 4, MemTotal: 2_087_354_368, Name: 'host', DockerRootDir: '/var/lib/berth',
    Debug: false, ExperimentalBuild: false, LiveRestoreEnabled: true, Warnings: ['WARNING: no swap'],
    RegistryConfig: { InsecureRegistryCIDRs: [{ IP: '127.0.0.0', Mask: '/wAAAA==' }, '10.0.0.0/8'], IndexConfigs: {} },
  });
  assert.deepEqual(warnings, ['WARNING: no swap']);
  assert.equal(text, [
    ' Containers: 3', '  Running: 1', '  Paused: 0', '  Stopped: 2', ' Images: 1', ' Server Version: 0.1.0',
    ' Storage Driver: overlay2', '  Backing Filesystem: extfs', ' Plugins:', '  Volume: local', '  Network: bridge host',
    '  Log: json-file', ' Swarm: inactive', ' Runtimes: crun runc', ' Default Runtime: crun', ' Init Binary: ',
    ' containerd version: ', ' runc version: ', ' init version: ', ' Security Options:', '  seccomp', '   Profile: builtin',
    ' OSType: linux', ' CPUs: 4', ' Total Memory: 1.944GiB', ' Name: host', ' Docker Root Dir: /var/lib/berth',
    ' Debug Mode: false', ' Experimental: false', ' Insecure Registries:', '  127.0.0.0/8', '  10.0.0.0/8', ' Live Restore Enabled: true', '', '',
  ].join('\n'));
});

test('reformatDate uses time.ANSIC', () => {
  assert.equal(reformatDate('2025-05-30T12:07:14.000000000+00:00'), 'Fri May 30 12:07:14 2025');
  assert.equal(reformatDate('not a date'), 'not a date');
});

test('events print like docker and pass filters and times', async () => {
  assert.equal(formatEvent({
    Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web', image: 'busybox' } }, scope: 'local',
    time: 1714564800, timeNano: 1714564800000000512, exactTimeNano: 1714564800123456789n,
  }), '2024-05-01T12:00:00.123456789Z container start abc (image=busybox, name=web)\n');
  let seen: unknown;
  const client = fakeClient({
    system: {
      events: async function* (o) {
        seen = o;
        yield { Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1', Attributes: {} }, scope: 'local', time: 0, timeNano: 0 };
      },
    },
  });
  const r = await runTest(['events', '--since', '1h', '-f', 'type=image', '--format', '{{.Type}}/{{.Action}}'], { client });
  assert.equal(r.out, 'image/tag\n');
  assert.deepEqual(seen, { filters: new Map([['type', ['image']]]), since: String(Date.parse('2024-05-01T11:00:00Z') / 1000) });
});
