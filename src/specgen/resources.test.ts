import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig } from '../api/types/index.ts';
import { buildResources, parseDeviceCgroupRule, updateResources, userDevices, type HostDeviceNode } from './resources.ts';

const NODES: Record<string, HostDeviceNode> = {
  '/dev/vda': { type: 'b', major: 254, minor: 0 },
  '/dev/fuse': { type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 },
};

const cases: { name: string; hc: HostConfig; want: Record<string, unknown> }[] = [
  { name: 'nothing set: only the device rules', hc: {}, want: { memory: undefined, cpu: undefined, pids: undefined, blockIO: undefined } },
  {
    name: 'memory limit, reservation, swappiness, oom killer off',
    hc: { Memory: 64 << 20, MemorySwap: 96 << 20, MemoryReservation: 32 << 20, MemorySwappiness: 10, OomKillDisable: true },
    want: { memory: { limit: 64 << 20, swap: 96 << 20, reservation: 32 << 20, swappiness: 10, disableOOMKiller: true } },
  },
  { name: 'swappiness -1 and null are left to the kernel', hc: { Memory: 8 << 20, MemorySwap: -1, MemorySwappiness: -1 }, want: { memory: { limit: 8 << 20 } } },
  { name: 'swap defaults to 2x memory', hc: { Memory: 10 << 20 }, want: { memory: { limit: 10 << 20, swap: 20 << 20 } } },
  { name: '--cpus becomes quota over a 100ms period', hc: { NanoCpus: 500_000_000 }, want: { cpu: { period: 100000, quota: 50000 } } },
  {
    name: 'period, quota, shares, cpuset',
    hc: { CpuPeriod: 50000, CpuQuota: 25000, CpuShares: 512, CpusetCpus: '0', CpusetMems: '0' },
    want: { cpu: { shares: 512, period: 50000, quota: 25000, cpus: '0', mems: '0' } },
  },
  { name: 'pids limit', hc: { PidsLimit: 77 }, want: { pids: { limit: 77 } } },
  { name: 'pids null is unlimited', hc: { PidsLimit: null }, want: { pids: undefined } },
  {
    name: 'blkio weight and throttles by device number',
    hc: {
      BlkioWeight: 300, BlkioWeightDevice: [{ Path: '/dev/vda', Weight: 200 }],
      BlkioDeviceReadBps: [{ Path: '/dev/vda', Rate: 1048576 }], BlkioDeviceWriteBps: [{ Path: '/dev/vda', Rate: 5 }],
      BlkioDeviceReadIOps: [{ Path: '/dev/vda', Rate: 100 }], BlkioDeviceWriteIOps: [{ Path: '/dev/vda', Rate: 50 }],
    },
    want: {
      blockIO: {
        weight: 300, weightDevice: [{ major: 254, minor: 0, weight: 200 }],
        throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1048576 }], throttleWriteBpsDevice: [{ major: 254, minor: 0, rate: 5 }],
        throttleReadIOPSDevice: [{ major: 254, minor: 0, rate: 100 }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 50 }],
      },
    },
  },
];

for (const c of cases) {
  test(`buildResources: ${c.name}`, () => {
    const r = buildResources(c.hc, false, NODES) as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(r[k], v, k);
  });
}

test('buildResources: an unknown throttle device is an error', () => {
  assert.throws(() => buildResources({ BlkioDeviceReadBps: [{ Path: '/dev/nope', Rate: 1 }] }, false, NODES), /lstat \/dev\/nope: no such file or directory/);
});

test('--device: a node and an allow rule after the defaults; privileged ignores it', () => {
  const hc: HostConfig = { Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'rw' }] };
  assert.deepEqual(userDevices(hc, NODES).devices, [{ type: 'c', path: '/dev/f', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }]);
  const rules = buildResources(hc, false, NODES).devices!;
  assert.deepEqual(rules.at(-1), { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' });
  assert.deepEqual(buildResources(hc, true, NODES).devices, [{ allow: true, access: 'rwm' }]);
  assert.throws(() => userDevices({ Devices: [{ PathOnHost: '/dev/x', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }] }, NODES),
    /error gathering device information while adding custom device "\/dev\/x"/);
});

test('device cgroup rules', () => {
  assert.deepEqual(parseDeviceCgroupRule('c 1:3 mr'), { allow: true, type: 'c', major: 1, minor: 3, access: 'mr' });
  assert.deepEqual(parseDeviceCgroupRule('a *:* rwm'), { allow: true, type: 'a', access: 'rwm' });
  assert.throws(() => parseDeviceCgroupRule('x 1:3 r'), /invalid device cgroup format 'x 1:3 r'/);
});

test('updateResources: unlimited pids and swap are written explicitly; no devices', () => {
  assert.deepEqual(updateResources({ Memory: 64 << 20, MemorySwap: -1, PidsLimit: null }), {
    memory: { limit: 64 << 20, swap: -1 }, pids: { limit: -1 },
  });
  assert.deepEqual(updateResources({ NanoCpus: 1e9, CpusetCpus: '1', PidsLimit: 20, BlkioWeight: 300 }), {
    cpu: { period: 100000, quota: 100000, cpus: '1' }, pids: { limit: 20 }, blockIO: { weight: 300 },
  });
});
