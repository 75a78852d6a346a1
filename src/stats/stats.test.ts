import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { StatsCollector } from './collector.ts';
import { blockIO, cpuPercent, memoryUsageNoCache, networkIO, toDockerStats, ZERO_TIME } from './docker-stats.ts';
import {
  parseBlkioV1, parseCgroupMounts, parseFlatKeyed, parseIoStatV2, parseNetDev, parseSingle, parseSystemCpuUsage,
} from './parse.ts';

const FIX = join(import.meta.dirname, 'fixtures');
const MACHINE = 8 * 1024 ** 3;

/** A mountinfo whose v1 controllers (and cgroup2) are the fixture directories. */
function fixtureMounts(): string {
  const line = (n: number, dir: string, fs: string, opts: string): string => `${n} 1 0:${n} / ${dir} rw - ${fs} ${fs} rw,${opts}`;
  return [
    line(1, join(FIX, 'v1/memory'), 'cgroup', 'memory'), line(2, join(FIX, 'v1/cpu'), 'cgroup', 'cpu'),
    line(3, join(FIX, 'v1/cpuacct'), 'cgroup', 'cpuacct'), line(4, join(FIX, 'v1/pids'), 'cgroup', 'pids'),
    line(5, join(FIX, 'v1/blkio'), 'cgroup', 'blkio'), line(6, join(FIX, 'v2'), 'cgroup2', 'nsdelegate'),
  ].join('\n');
}

function collector(version: 1 | 2): StatsCollector {
  return new StatsCollector({ cgroupVersion: version, procRoot: join(FIX, 'proc'), mountinfo: fixtureMounts(), machineMemory: MACHINE, onlineCpus: 2 });
}

test('parsers: flat keyed, single values, blkio v1, io.stat v2', () => {
  assert.deepEqual(parseFlatKeyed('user 10\nsystem 2\nbad x\n\n'), { user: 10, system: 2 });
  assert.equal(parseSingle('max\n'), null);
  assert.equal(parseSingle(' 42\n'), 42);
  assert.equal(parseSingle(null), null);
  assert.deepEqual(parseBlkioV1('254:0 Read 5\n254:0 Write 7\n254:0 Total 12\nTotal 12\n'), [
    { major: 254, minor: 0, op: 'Read', value: 5 }, { major: 254, minor: 0, op: 'Write', value: 7 }, { major: 254, minor: 0, op: 'Total', value: 12 },
  ]);
  const io = parseIoStatV2('8:16 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n');
  assert.deepEqual(io.bytes, [{ major: 8, minor: 16, op: 'read', value: 1 }, { major: 8, minor: 16, op: 'write', value: 2 }]);
  assert.deepEqual(io.ios, [{ major: 8, minor: 16, op: 'read', value: 3 }, { major: 8, minor: 16, op: 'write', value: 4 }]);
});

test('parsers: /proc/stat total CPU time counts user..softirq in ns', () => {
  assert.equal(parseSystemCpuUsage('cpu  100 1 50 1000 10 2 3 4 0 0\ncpu0 1 1 1 1 1 1 1\n'), (100 + 1 + 50 + 1000 + 10 + 2 + 3) * 1e7);
  assert.equal(parseSystemCpuUsage(''), 0);
});

test('parsers: net/dev without loopback; mountinfo with co-mounted cpu,cpuacct', () => {
  const nets = parseNetDev(`Inter-|\n face |\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  eth0: 100 2 0 1 0 0 0 0 200 3 1 0 0 0 0 0\n`);
  assert.deepEqual(nets, { eth0: { rx_bytes: 100, rx_packets: 2, rx_errors: 0, rx_dropped: 1, tx_bytes: 200, tx_packets: 3, tx_errors: 1, tx_dropped: 0 } });
  const m = parseCgroupMounts(`31 27 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
28 27 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate
32 27 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory`);
  assert.deepEqual(m, { v1: { cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory' }, v2: '/sys/fs/cgroup/unified' });
});

test('cgroup v1 fixture (recorded from a running container) → Docker\'s stats', async () => {
  const c = collector(1);
  const s = await c.sample('x', { cgroupsPath: '', pid: 42, hostNetwork: false });
  assert.equal(s.cpu.cpu_usage.total_usage, 112167694);
  assert.deepEqual(s.cpu.cpu_usage.percpu_usage, [112167694, 0]);
  assert.equal(s.cpu.cpu_usage.usage_in_usermode, 10 * 1e7);
  assert.equal(s.cpu.cpu_usage.usage_in_kernelmode, 0);
  assert.deepEqual(s.cpu.throttling_data, { periods: 4, throttled_periods: 0, throttled_time: 0 });
  assert.equal(s.cpu.system_cpu_usage, (487527 + 369115 + 979462 + 13182 + 2329) * 1e7);
  assert.equal(s.memory.usage, 380928);
  assert.equal(s.memory.limit, 67108864);
  assert.equal(s.memory.failcnt, 0);
  assert.equal(s.memory.stats!.total_inactive_file, 0);
  assert.equal(s.memory.stats!.rss, 53248);
  assert.equal(s.memory.stats!.swap, undefined, 'only the keys Docker reports');
  assert.deepEqual(s.pids, { current: 1, limit: 20 });
  assert.deepEqual(blockIO(s.blkio), { read: 0, write: 2097152 });
  assert.equal(s.blkio.io_queue_recursive, null);
  assert.deepEqual(s.networks, { eth0: { rx_bytes: 12345, rx_packets: 20, rx_errors: 1, rx_dropped: 2, tx_bytes: 6789, tx_packets: 15, tx_errors: 3, tx_dropped: 4 } });
  const j = toDockerStats({ name: '/x', id: 'abc', onlineCpus: 2 }, s, null);
  assert.equal(j.precpu_stats.cpu_usage.total_usage, 0);
  assert.equal(j.preread, ZERO_TIME);
  assert.equal(j.cpu_stats.online_cpus, 2);
  assert.equal(memoryUsageNoCache(j.memory_stats), 380928);
  assert.deepEqual(networkIO(j.networks), { rx: 12345, tx: 6789 });
  // Host network: no networks, as Docker.
  assert.equal((await c.sample('x', { cgroupsPath: '', pid: 42, hostNetwork: true })).networks, undefined);
});

test('cgroup v2 fixture → Docker\'s stats (moby statsV2 mapping)', async () => {
  const s = await collector(2).sample('y', { cgroupsPath: '', pid: 42, hostNetwork: false });
  assert.deepEqual(s.cpu.cpu_usage, { total_usage: 2_500_000_000, usage_in_kernelmode: 500_000_000, usage_in_usermode: 2_000_000_000 });
  assert.deepEqual(s.cpu.throttling_data, { periods: 40, throttled_periods: 7, throttled_time: 123_456_000 });
  assert.equal(s.memory.usage, 10485760);
  assert.equal(s.memory.limit, 67108864);
  assert.equal(s.memory.max_usage, undefined);
  assert.equal(s.memory.stats!.inactive_file, 4194304);
  assert.equal(memoryUsageNoCache(s.memory), 10485760 - 4194304);
  assert.deepEqual(s.pids, { current: 3 });
  assert.deepEqual(blockIO(s.blkio), { read: 1048576 + 4096, write: 4194304 });
  assert.equal(s.blkio.io_serviced_recursive!.length, 4);
});

test('v2 memory.max "max" reports the machine memory as the limit', async () => {
  const c = new StatsCollector({
    cgroupVersion: 2, procRoot: join(FIX, 'proc'), mountinfo: fixtureMounts(), machineMemory: MACHINE, onlineCpus: 2,
    readText: async (p) => (p.endsWith('memory.max') ? 'max\n' : (await import('node:fs')).readFileSync(p, 'utf8')),
  });
  assert.equal((await c.sample('z', { cgroupsPath: '', pid: 42, hostNetwork: false })).memory.limit, MACHINE);
});

test('CPU % as the docker CLI computes it, from a sample and the one before', () => {
  const mk = (total: number, system: number) => ({
    readAt: 0, cpu: { cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: system, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory: {}, blkio: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    pids: {},
  });
  // 0.5 s of CPU over 1 s of wall time on 2 CPUs (2 s of system time) = 50 %.
  const j = toDockerStats({ name: '/a', id: 'a', onlineCpus: 2 }, mk(1.5e9, 12e9), mk(1e9, 10e9));
  assert.equal(cpuPercent(j), 50);
  // No previous sample: the CLI's formula averages since the counters started (as with dockerd's first frame).
  assert.equal(cpuPercent(toDockerStats({ name: '/a', id: 'a', onlineCpus: 2 }, mk(1e9, 10e9), null)), 20);
  const stopped = toDockerStats({ name: '/a', id: 'a', onlineCpus: 2 }, null, null);
  assert.equal(stopped.read, ZERO_TIME);
  assert.deepEqual(stopped.memory_stats, {});
  assert.deepEqual(stopped.pids_stats, {});
});

test('previous(): the last sample only inside the age window', async () => {
  const c = collector(1);
  const s = await c.sample('k', { cgroupsPath: '', pid: 42, hostNetwork: true });
  assert.equal(c.previous('k', 100, 5000, s.readAt + 50), null);
  assert.equal(c.previous('k', 100, 5000, s.readAt + 1000), s);
  assert.equal(c.previous('k', 100, 5000, s.readAt + 6000), null);
  c.forget('k');
  assert.equal(c.previous('k', 0, 1e9), null);
  assert.equal(await c.controllerDir('pids', '/berth/abc'), join(FIX, 'v1/pids') + '/berth/abc');
});
