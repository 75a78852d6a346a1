import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatsResponse, UpdateConfig } from '../../../api/types/index.ts';
import { NotFoundError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const MiB = 1024 * 1024;
const ID = 'f'.repeat(64);

function frame(over: Partial<ContainerStatsResponse> = {}): ContainerStatsResponse {
  const blk = { io_service_bytes_recursive: [{ major: 254, minor: 0, op: 'Read', value: 1_500_000 }, { major: 254, minor: 0, op: 'Write', value: 4096 }],
    io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null,
    io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null };
  return {
    name: '/web', id: ID, read: '2024-05-01T12:00:01Z', preread: '2024-05-01T12:00:00Z', num_procs: 0, storage_stats: {},
    pids_stats: { current: 3, limit: 20 }, blkio_stats: blk,
    cpu_stats: { cpu_usage: { total_usage: 1.5e9, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 12e9, online_cpus: 2, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    precpu_stats: { cpu_usage: { total_usage: 1e9, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 10e9, online_cpus: 2, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: { usage: 10 * MiB, limit: 64 * MiB, stats: { total_inactive_file: 2 * MiB } },
    networks: { eth0: { rx_bytes: 1234, rx_packets: 1, rx_errors: 0, rx_dropped: 0, tx_bytes: 56, tx_packets: 1, tx_errors: 0, tx_dropped: 0 } },
    ...over,
  };
}

async function* once(f: ContainerStatsResponse): AsyncGenerator<ContainerStatsResponse> { yield f; }

test('stats --no-stream: docker\'s table, computed as the docker CLI computes it', async () => {
  const asked: { id: string; stream: boolean }[] = [];
  const client = fakeClient({ containers: {
    list: async (o) => { assert.equal(o?.all, false); return [{ Id: ID } as never]; },
    stats: async (id, o) => { asked.push({ id, stream: o.stream }); return once(frame()); },
  } });
  const r = await runTest(['stats', '--no-stream'], { client });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(asked, [{ id: ID, stream: false }]);
  assert.equal(r.out,
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O        BLOCK I/O       PIDS\n'
    + 'ffffffffffff   web       50.00%    8MiB / 64MiB        12.50%    1.23kB / 56B   1.5MB / 4.1kB   3\n');
});

test('stats --no-stream --format and --all; a stopped container reads as zeros', async () => {
  const stopped = frame({ name: '/old', read: '0001-01-01T00:00:00Z', memory_stats: {}, pids_stats: {},
    cpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } } });
  delete stopped.networks;
  stopped.blkio_stats = { ...stopped.blkio_stats, io_service_bytes_recursive: null };
  const client = fakeClient({ containers: {
    list: async (o) => { assert.equal(o?.all, true); return [{ Id: ID } as never, { Id: 'e'.repeat(64) } as never]; },
    stats: async (id) => once(id === ID ? frame() : stopped),
  } });
  const r = await runTest(['stats', '--no-stream', '-a', '--format', '{{.Name}}: {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}}'], { client });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'web: 50.00% 8MiB / 64MiB 12.50% 1.23kB / 56B 1.5MB / 4.1kB 3\nold: 0.00% 0B / 0B 0.00% 0B / 0B 0B / 0B 0\n');
});

test('stats CONTAINER --no-stream: the .Container column shows the name given; a missing one is docker\'s error', async () => {
  const client = fakeClient({ containers: {
    stats: async (id) => { if (id === 'nosuch') throw new NotFoundError('No such container: nosuch'); return once(frame()); },
  } });
  const ok = await runTest(['stats', '--no-stream', '--format', 'table {{.Container}}\t{{.PIDs}}', 'web'], { client });
  assert.equal(ok.out, 'CONTAINER   PIDS\nweb         3\n');
  const bad = await runTest(['stats', '--no-stream', 'nosuch'], { client });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /No such container: nosuch/);
});

test('update: the body docker CLI 28 sends, names printed, warnings on stderr', async () => {
  const bodies: UpdateConfig[] = [];
  const client = fakeClient({ containers: { update: async (_id, b) => { bodies.push(b); return { Warnings: ['weight discarded'] }; } } });
  const r = await runTest(['update', '-m', '128m', '--memory-swap', '-1', '--cpus', '1.5', '--pids-limit', '-1', '--cpuset-cpus', '1', '--restart', 'on-failure:3', 'a', 'b'], { client });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.err, 'WARNING: weight discarded\nWARNING: weight discarded\n');
  assert.deepEqual(bodies[0], {
    BlkioWeight: 0, CpusetCpus: '1', CpusetMems: '', CpuShares: 0, Memory: 128 * MiB, MemoryReservation: 0, MemorySwap: -1,
    KernelMemory: 0, CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, NanoCpus: 1.5e9, PidsLimit: -1,
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
  });
  const none = await runTest(['update', 'a'], { client });
  assert.equal(none.code, 1);
  assert.match(none.err, /you must provide one or more flags when using this command/);
  const bad = await runTest(['update', '--memory', '1x', 'a'], { client });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /invalid argument "1x" for "-m, --memory" flag: invalid suffix: 'x'/);
});

test('run/create: the resource flags in the request body', async () => {
  let body: { HostConfig?: Record<string, unknown> } | undefined;
  const client = fakeClient({ containers: { create: async (b) => { body = b as never; return { Id: 'abc', Warnings: [] }; } } });
  const r = await runTest(['create', '--memory-reservation', '32m', '--memory-swappiness', '10', '--oom-kill-disable', '--cpu-period', '50000',
    '--cpu-quota', '25000', '--cpuset-cpus', '0', '--cpuset-mems', '0', '--blkio-weight', '300', '--blkio-weight-device', '/dev/vda:200',
    '--device-read-bps', '/dev/vda:1mb', '--device-write-iops', '/dev/vda:100', '--device', '/dev/fuse:/dev/f:rw',
    '--device-cgroup-rule', 'c 10:229 rwm', 'busybox'], { client });
  assert.equal(r.code, 0, r.err);
  const hc = body!.HostConfig!;
  assert.equal(hc.MemoryReservation, 32 * MiB);
  assert.equal(hc.MemorySwappiness, 10);
  assert.equal(hc.OomKillDisable, true);
  assert.equal(hc.CpuPeriod, 50000);
  assert.equal(hc.CpuQuota, 25000);
  assert.equal(hc.CpusetCpus, '0');
  assert.equal(hc.BlkioWeight, 300);
  assert.deepEqual(hc.BlkioWeightDevice, [{ Path: '/dev/vda', Weight: 200 }]);
  assert.deepEqual(hc.BlkioDeviceReadBps, [{ Path: '/dev/vda', Rate: MiB }]);
  assert.deepEqual(hc.BlkioDeviceWriteIOps, [{ Path: '/dev/vda', Rate: 100 }]);
  assert.deepEqual(hc.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'rw' }]);
  assert.deepEqual(hc.DeviceCgroupRules, ['c 10:229 rwm']);
  const bad = await runTest(['create', '--device-read-bps', '/dev/vda:lots', 'busybox'], { client });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /invalid argument "\/dev\/vda:lots" for "--device-read-bps" flag: invalid rate for device: \/dev\/vda:lots/);
});
