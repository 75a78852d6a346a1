import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerCreateRequest } from '../../../api/types/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

async function createBody(argv: string[], extra: { env?: Record<string, string>; files?: Record<string, string> } = {}) {
  let body: ContainerCreateRequest | undefined;
  let name: string | undefined;
  const client = fakeClient({ containers: { create: async (b, o) => { body = b; name = o?.name; return { Id: 'abc', Warnings: ['low memory'] }; } } });
  const r = await runTest(['create', ...argv], { client, ...extra });
  return { r, body: body!, name };
}

test('create prints the id and daemon warnings', async () => {
  const { r } = await createBody(['busybox']);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'abc\n');
  assert.equal(r.err, 'WARNING: low memory\n');
});

test('create: the default body is docker 28\'s', async () => {
  const { body } = await createBody(['busybox']);
  assert.deepEqual({ ...body, HostConfig: undefined }, {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false,
    OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: 'busybox', Volumes: {}, WorkingDir: '',
    Entrypoint: null, OnBuild: null, Labels: {}, HostConfig: undefined,
    NetworkingConfig: {
      EndpointsConfig: {
        default: {
          IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
          EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0, DNSNames: null,
        },
      },
    },
  });
  assert.deepEqual(body.HostConfig?.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(body.HostConfig?.NetworkMode, 'default');
  assert.deepEqual(body.HostConfig?.PortBindings, {});
  assert.deepEqual(body.HostConfig?.Dns, []);
  assert.equal(body.HostConfig?.PidsLimit, 0);
  assert.equal(body.HostConfig?.Init, undefined);
  assert.deepEqual(body.HostConfig?.ConsoleSize, [0, 0]);
});

test('create: the default HostConfig is field for field the one docker CLI 28.2.2 sends', async () => {
  const { body } = await createBody(['busybox']);
  // Captured from `docker create busybox` (docker CLI 28.2.2) against a recording server.
  const docker = {"Binds": null, "ContainerIDFile": "", "LogConfig": {"Type": "", "Config": {}}, "NetworkMode": "default", "PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "AutoRemove": false, "VolumeDriver": "", "VolumesFrom": null, "ConsoleSize": [0, 0], "CapAdd": null, "CapDrop": null, "CgroupnsMode": "", "Dns": [], "DnsOptions": [], "DnsSearch": [], "ExtraHosts": null, "GroupAdd": null, "IpcMode": "", "Cgroup": "", "Links": null, "OomScoreAdj": 0, "PidMode": "", "Privileged": false, "PublishAllPorts": false, "ReadonlyRootfs": false, "SecurityOpt": null, "UTSMode": "", "UsernsMode": "", "ShmSize": 0, "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "", "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "", "Devices": [], "DeviceCgroupRules": null, "DeviceRequests": null, "MemoryReservation": 0, "MemorySwap": 0, "MemorySwappiness": -1, "OomKillDisable": false, "PidsLimit": 0, "Ulimits": [], "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0, "MaskedPaths": null, "ReadonlyPaths": null};
  assert.deepEqual(Object.keys(body.HostConfig!), Object.keys(docker));
  assert.deepEqual(body.HostConfig, docker);
});

test('create: flags map onto the request like docker 28 (captured from docker CLI 28.2.2)', async () => {
  const { body, name } = await createBody([
    '--name', 'x', '-e', 'A=1', '-e', 'HOME', '-l', 'a=b', '--restart', 'on-failure:3', '-p', '8080:80', '-v', '/data',
    '-v', '/h:/c:ro', '--init', '--health-cmd', 'true', '--health-interval', '30s', '--memory', '512m', '--cpus', '1.5',
    '--pids-limit', '10', '--cap-add', 'NET_ADMIN', '--privileged', '--read-only', '--stop-signal', 'SIGINT',
    '--stop-timeout', '5', '--runtime', 'runc', '-w', '/tmp', '-u', 'nobody', '--hostname', 'h', '--entrypoint', 'sh',
    '--network', 'host', '-it', 'busybox', '-c', 'echo hi',
  ], { env: { HOME: '/root' } });
  assert.equal(name, 'x');
  assert.deepEqual(body.Env, ['A=1', 'HOME=/root']);
  assert.deepEqual(body.Labels, { a: 'b' });
  assert.deepEqual(body.Cmd, ['-c', 'echo hi']);
  assert.deepEqual(body.Entrypoint, ['sh']);
  assert.deepEqual(body.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 30_000_000_000 });
  assert.deepEqual(body.Volumes, { '/data': {} });
  assert.deepEqual(body.ExposedPorts, { '80/tcp': {} });
  assert.equal(body.StopSignal, 'SIGINT');
  assert.equal(body.StopTimeout, 5);
  assert.equal(body.Hostname, 'h');
  assert.equal(body.User, 'nobody');
  assert.equal(body.WorkingDir, '/tmp');
  assert.deepEqual([body.Tty, body.OpenStdin, body.StdinOnce, body.AttachStdin], [true, true, true, true]);
  const hc = body.HostConfig!;
  assert.deepEqual(hc.Binds, ['/h:/c:ro']);
  assert.equal(hc.NetworkMode, 'host');
  assert.deepEqual(hc.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(hc.CapAdd, ['CAP_NET_ADMIN']);
  assert.deepEqual([hc.Privileged, hc.ReadonlyRootfs, hc.Init], [true, true, true]);
  assert.deepEqual([hc.Memory, hc.NanoCpus, hc.PidsLimit, hc.Runtime], [536_870_912, 1_500_000_000, 10, 'runc']);
});

test('create: env files, label files, --entrypoint="" and --no-healthcheck', async () => {
  const { body } = await createBody(
    ['--env-file', 'a.env', '-e', 'B=override', '--label-file', 'l.txt', '--entrypoint', '', '--no-healthcheck', 'busybox'],
    { files: { 'a.env': '# c\nA=1\nB=2\nHOME\n', 'l.txt': 'x=y\nflag\n' }, env: { HOME: '/h' } },
  );
  assert.deepEqual(body.Env, ['A=1', 'B=2', 'HOME=/h', 'B=override']);
  assert.deepEqual(body.Labels, { x: 'y', flag: '' });
  assert.deepEqual(body.Entrypoint, ['']);
  assert.deepEqual(body.Healthcheck, { Test: ['NONE'] });
});

test('create: resources, dns, tmpfs, sysctls, ulimits, security options', async () => {
  const { body } = await createBody([
    '--cap-add', 'all', '--cap-drop', 'net_raw', '--dns', '1.1.1.1', '--tmpfs', '/run:size=1m', '--sysctl', 'net.ipv4.ip_forward=1',
    '--ulimit', 'nofile=1024:2048', '--security-opt', 'no-new-privileges', '--shm-size', '64m', '--memory-swap', '-1',
    '--group-add', 'audio', '--add-host', 'db:10.0.0.2', '--log-driver', 'json-file', '--log-opt', 'max-size=1m', '-P',
    '--expose', '9000', '--oom-score-adj', '100', 'busybox',
  ]);
  const hc = body.HostConfig!;
  assert.deepEqual(hc.CapAdd, ['ALL']);
  assert.deepEqual(hc.CapDrop, ['CAP_NET_RAW']);
  assert.deepEqual(hc.Dns, ['1.1.1.1']);
  assert.deepEqual(hc.Tmpfs, { '/run': 'size=1m' });
  assert.deepEqual(hc.Sysctls, { 'net.ipv4.ip_forward': '1' });
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
  assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
  assert.deepEqual([hc.ShmSize, hc.MemorySwap, hc.OomScoreAdj], [64 * 1024 * 1024, -1, 100]);
  assert.deepEqual(hc.GroupAdd, ['audio']);
  assert.deepEqual(hc.ExtraHosts, ['db:10.0.0.2']);
  assert.deepEqual(hc.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
  assert.equal(hc.PublishAllPorts, true);
  assert.deepEqual(body.ExposedPorts, { '9000/tcp': {} });
});

test('create: --ip, --network-alias and --mac-address go into the endpoint of the named network; rates become berth labels', async () => {
  const { body } = await createBody(['--network', 'n1', '--ip', '10.1.1.5', '--network-alias', 'a', '--network-alias', 'b', '--mac-address', '02:42:00:00:00:09', '--egress-rate', '8mbit', 'busybox']);
  const ep = (body.NetworkingConfig?.EndpointsConfig as Record<string, { IPAMConfig: unknown; Aliases: unknown; MacAddress: string }>)['n1']!;
  assert.deepEqual(ep.IPAMConfig, { IPv4Address: '10.1.1.5' });
  assert.deepEqual(ep.Aliases, ['a', 'b']);
  assert.equal(ep.MacAddress, '02:42:00:00:00:09');
  assert.equal(body.Labels?.['io.berth.network.egress-rate'], '8mbit');
  const plain = await createBody(['--network', 'n1', 'busybox']);
  assert.deepEqual(plain.body.NetworkingConfig?.EndpointsConfig, {});
});

test('create: --userns and --cgroupns map to UsernsMode and CgroupnsMode; bad values fail with docker\'s wording', async () => {
  const { body } = await createBody(['--userns', 'host', '--cgroupns', 'private', 'busybox']);
  assert.equal(body.HostConfig?.UsernsMode, 'host');
  assert.equal(body.HostConfig?.CgroupnsMode, 'private');
  const bad = await createBody(['--cgroupns', 'shared', 'busybox']);
  assert.notEqual(bad.r.code, 0);
  assert.match(bad.r.err, /--cgroupns: invalid CGROUP mode/);
  const badUser = await createBody(['--userns', 'private', 'busybox']);
  assert.match(badUser.r.err, /--userns: invalid USER mode/);
});
