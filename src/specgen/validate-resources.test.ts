import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig } from '../api/types/index.ts';
import type { ResourceCaps } from './spec-input.ts';
import { adaptResources, mergeUpdate, parseCpuList } from './validate-resources.ts';

/** This project's hosts: cgroup v1 hybrid, 2 CPUs, no blkio.weight (PLATFORM.md §2.2). */
const V1: ResourceCaps = {
  ncpu: 2, cpus: '0-1', mems: '0', swapLimit: true, oomKillDisable: true, blkioWeight: false, blkioWeightDevice: false,
  swappiness: true, cpuRealtime: true,
};
const V2: ResourceCaps = { ...V1, oomKillDisable: false, swappiness: false, cpuRealtime: false, blkioWeight: true, blkioWeightDevice: true };
const MB = 1024 * 1024;

const errors: { hc: HostConfig; err: RegExp; caps?: ResourceCaps }[] = [
  { hc: { Memory: 4 * MB }, err: /^Minimum memory limit allowed is 6MB$/ },
  { hc: { Memory: 64 * MB, MemorySwap: 32 * MB }, err: /^Minimum memoryswap limit should be larger than memory limit, see usage$/ },
  { hc: { MemorySwap: 32 * MB }, err: /^You should always set the Memory limit when using Memoryswap limit, see usage$/ },
  { hc: { MemorySwappiness: 101 }, err: /^Invalid value: 101, valid memory swappiness range is 0-100$/ },
  { hc: { MemoryReservation: MB }, err: /^Minimum memory reservation allowed is 6MB$/ },
  { hc: { Memory: 8 * MB, MemoryReservation: 16 * MB }, err: /^Minimum memory limit can not be less than memory reservation limit, see usage$/ },
  { hc: { NanoCpus: 1e9, CpuPeriod: 100000 }, err: /^Conflicting options: Nano CPUs and CPU Period cannot both be set$/ },
  { hc: { NanoCpus: 1e9, CpuQuota: 100000 }, err: /^Conflicting options: Nano CPUs and CPU Quota cannot both be set$/ },
  { hc: { NanoCpus: 3e9 }, err: /^Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available$/ },
  { hc: { CpuShares: -1 }, err: /^shares: invalid argument$/ },
  { hc: { CpuPeriod: 500 }, err: /^CPU cfs period can not be less than 1ms \(i.e. 1000\) or larger than 1s \(i.e. 1000000\)$/ },
  { hc: { CpuQuota: 500 }, err: /^CPU cfs quota can not be less than 1ms \(i.e. 1000\)$/ },
  { hc: { CpusetCpus: '0-3' }, err: /^Requested CPUs are not available - requested 0-3, available: 0-1$/ },
  { hc: { CpusetCpus: '1-x' }, err: /^Invalid value 1-x for cpuset cpus/ },
  { hc: { CpusetMems: '1' }, err: /^Requested memory nodes are not available - requested 1, available: 0$/ },
  { hc: { BlkioWeight: 5 }, err: /^Range of blkio weight is from 10 to 1000$/, caps: V2 },
  { hc: { CgroupParent: '/a/../../etc' }, err: /^invalid cgroup parent: \/a\/..\/..\/etc$/ },
  { hc: { CpuRealtimePeriod: 1000, CpuRealtimeRuntime: 2000 }, err: /^cpu-rt-runtime cannot be higher than cpu-rt-period$/ },
  { hc: { CpuRealtimePeriod: 100000, CpuRealtimeRuntime: 1000 }, err: /^--cpu-rt-runtime cannot be applied: berthd gives its cgroup parent no real-time CPU budget/ },
  { hc: { CpuRealtimeRuntime: 1000 }, err: /^Your kernel does not support CPU real-time scheduler$/, caps: V2 },
];
for (const e of errors) {
  test(`adaptResources refuses ${JSON.stringify(e.hc)}`, () => {
    assert.throws(() => adaptResources(e.hc, e.caps ?? V1), (err: Error & { kind?: string }) => e.err.test(err.message) && err.kind === 'invalid-argument');
  });
}

test('adaptResources: Docker\'s defaults and clamps', () => {
  const { hostConfig, warnings } = adaptResources({ Memory: 64 * MB, CpuShares: 1, PidsLimit: -1 }, V1);
  assert.equal(hostConfig.MemorySwap, 128 * MB);
  assert.equal(hostConfig.CpuShares, 2);
  assert.equal(hostConfig.PidsLimit, null);
  assert.deepEqual(warnings, ['Changing requested CPUShares of 1 to minimum allowed of 2']);
  assert.equal(adaptResources({ CpuShares: 300000 }, V1).hostConfig.CpuShares, 262144);
});

test('adaptResources: what the host cannot apply is discarded with Docker\'s warning', () => {
  const v1 = adaptResources({ BlkioWeight: 300, BlkioWeightDevice: [{ Path: '/dev/vda', Weight: 100 }], OomKillDisable: true }, V1);
  assert.equal(v1.hostConfig.BlkioWeight, 0);
  assert.deepEqual(v1.hostConfig.BlkioWeightDevice, []);
  assert.equal(v1.hostConfig.OomKillDisable, true);
  assert.deepEqual(v1.warnings, [
    'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
  ]);
  const v2 = adaptResources({ Memory: 64 * MB, OomKillDisable: true, MemorySwappiness: 10 }, V2);
  assert.equal(v2.hostConfig.OomKillDisable, false);
  assert.equal(v2.hostConfig.MemorySwappiness, null);
  assert.deepEqual(v2.warnings, [
    'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
    'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
  ]);
  const noswap = adaptResources({ Memory: 64 * MB }, { ...V1, swapLimit: false });
  assert.equal(noswap.hostConfig.MemorySwap, -1);
  assert.match(noswap.warnings[0]!, /does not support swap limit capabilities/);
});

test('parseCpuList', () => {
  assert.deepEqual([...parseCpuList('0-2,4')!], [0, 1, 2, 4]);
  assert.deepEqual([...parseCpuList('')!], []);
  assert.equal(parseCpuList('2-1'), null);
  assert.equal(parseCpuList('a'), null);
});

const ID = 'c'.repeat(64);

test('mergeUpdate: zero fields keep the current value; set ones replace it', () => {
  const cur: HostConfig = { Memory: 64 * MB, MemorySwap: 128 * MB, CpuShares: 512, PidsLimit: 10, RestartPolicy: { Name: 'no' } };
  const { hostConfig, warnings } = mergeUpdate(ID, cur, { Memory: 100 * MB, CpuShares: 0, CpusetCpus: '1', PidsLimit: null, RestartPolicy: { Name: 'always' } }, V1);
  assert.deepEqual(warnings, []);
  assert.equal(hostConfig.Memory, 100 * MB);
  assert.equal(hostConfig.MemorySwap, 128 * MB);
  assert.equal(hostConfig.CpuShares, 512);
  assert.equal(hostConfig.CpusetCpus, '1');
  assert.equal(hostConfig.PidsLimit, 10);
  assert.deepEqual(hostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  assert.equal(mergeUpdate(ID, cur, { PidsLimit: -1 }, V1).hostConfig.PidsLimit, null);
  assert.equal(mergeUpdate(ID, {}, { Memory: 32 * MB }, V1).hostConfig.MemorySwap, 64 * MB);
});

const updateErrors: { cur: HostConfig; u: Parameters<typeof mergeUpdate>[2]; err: RegExp; kind: string }[] = [
  { cur: { Memory: 64 * MB, MemorySwap: 128 * MB }, u: { Memory: 256 * MB }, kind: 'conflict',
    err: /^Cannot update container c+: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time$/ },
  { cur: { NanoCpus: 1e9 }, u: { CpuQuota: 50000 }, kind: 'conflict', err: /CPU Quota cannot be updated as NanoCPUs has already been set$/ },
  { cur: { CpuPeriod: 50000 }, u: { NanoCpus: 1e9 }, kind: 'conflict', err: /Nano CPUs cannot be updated as CPU Period has already been set$/ },
  { cur: { AutoRemove: true }, u: { RestartPolicy: { Name: 'always' } }, kind: 'conflict', err: /Restart policy cannot be updated because AutoRemove is enabled for the container$/ },
  { cur: {}, u: { CpusetCpus: '7' }, kind: 'invalid-argument', err: /^Requested CPUs are not available - requested 7, available: 0-1$/ },
  { cur: {}, u: { NanoCpus: 4e9 }, kind: 'invalid-argument', err: /^Range of CPUs is from 0.01 to 2.00/ },
  { cur: {}, u: { Memory: MB }, kind: 'invalid-argument', err: /^Minimum memory limit allowed is 6MB$/ },
];
for (const e of updateErrors) {
  test(`mergeUpdate refuses ${JSON.stringify(e.u)} on ${JSON.stringify(e.cur)}`, () => {
    assert.throws(() => mergeUpdate(ID, e.cur, e.u, V1), (err: Error & { kind?: string }) => e.err.test(err.message) && err.kind === e.kind);
  });
}

test('mergeUpdate: blkio weight on a host without it is discarded with a warning', () => {
  const r = mergeUpdate(ID, { BlkioWeight: 0 }, { BlkioWeight: 300 }, V1);
  assert.equal(r.hostConfig.BlkioWeight, 0);
  assert.match(r.warnings[0]!, /Block I\/O weight/);
});
