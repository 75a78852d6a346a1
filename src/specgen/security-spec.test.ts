// The security inputs of generateSpec added for issue 10: namespace modes (cgroupns, userns),
// --userns-remap mappings, devices and device cgroup rules, masked paths from the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig } from '../api/types/index.ts';
import { generateSpec } from './generate-spec.ts';
import type { SpecInput } from './spec-input.ts';

const ID = 'b'.repeat(64);

function input(hc: HostConfig = {}, extra: Partial<SpecInput> = {}): SpecInput {
  return {
    id: ID, rootfsPath: '/r', args: ['true'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'h', tty: false, openStdin: false, hostConfig: hc, extraMounts: [], netns: '/run/netns/x',
    cgroupsPath: `/berth/${ID}`,
    host: { arch: 'amd64', kernel: '6.1.0', hardLimits: {}, seccompProfile: null, cgroupVersion: 1 },
    ...extra,
  };
}

const nsTypes = (i: SpecInput): string[] => (generateSpec(i).linux?.namespaces ?? []).map((n) => n.type);

test('cgroup namespace: host by default on v1, private by default on v2, as asked otherwise', () => {
  const table: [HostConfig['CgroupnsMode'], 1 | 2, boolean][] = [
    [undefined, 1, false], ['', 2, true], ['private', 1, true], ['host', 2, false], ['private', 2, true],
  ];
  for (const [mode, v, want] of table) {
    const i = input(mode === undefined ? {} : { CgroupnsMode: mode });
    i.host.cgroupVersion = v;
    assert.equal(nsTypes(i).includes('cgroup'), want, `${mode} on v${v}`);
  }
  assert.throws(() => generateSpec(input({ CgroupnsMode: 'shared' })), /invalid cgroup namespace mode: shared/);
});

test('user namespace: only with idMappings; --userns host or "" are the host\'s; others refused', () => {
  assert.ok(!nsTypes(input({ UsernsMode: 'host' })).includes('user'));
  assert.throws(() => generateSpec(input({ UsernsMode: 'private' })), /invalid USER mode: private/);
  const idMappings = { uid: [{ containerID: 0, hostID: 100000, size: 65536 }], gid: [{ containerID: 0, hostID: 100000, size: 65536 }] };
  const spec = generateSpec(input({}, { idMappings }));
  assert.ok(spec.linux?.namespaces?.some((n) => n.type === 'user'));
  assert.deepEqual(spec.linux?.uidMappings, idMappings.uid);
  assert.deepEqual(spec.linux?.gidMappings, idMappings.gid);
  // The runtime cannot write the host-owned netns's sysctls from inside the user namespace.
  assert.equal(spec.linux?.sysctl?.['net.ipv4.ping_group_range'], undefined);
  assert.equal(generateSpec(input()).linux?.sysctl?.['net.ipv4.ping_group_range'], '0 2147483647');
});

test('devices and their cgroup rules; privileged gets the host devices and allow-all instead', () => {
  const dev = { type: 'c' as const, path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 };
  const rule = { allow: true, type: 'c' as const, major: 10, minor: 229, access: 'rwm' };
  const spec = generateSpec(input({}, { devices: [dev], deviceRules: [rule] }));
  assert.deepEqual(spec.linux?.devices, [dev]);
  assert.deepEqual(spec.linux?.resources?.devices?.at(-1), rule);
  assert.equal(spec.linux?.resources?.devices?.[0]?.allow, false, 'deny-all first');
  const host = { type: 'c' as const, path: '/dev/kmsg', major: 1, minor: 11 };
  const priv = generateSpec(input({ Privileged: true }, { devices: [dev], deviceRules: [rule], hostDevices: [host] }));
  assert.deepEqual(priv.linux?.devices, [host]);
  assert.deepEqual(priv.linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
});

test('masked and read-only paths: Docker\'s by default, the request\'s when given, none when []', () => {
  assert.ok(generateSpec(input()).linux?.maskedPaths?.includes('/proc/kcore'));
  assert.deepEqual(generateSpec(input({}, { maskedPaths: ['/proc/x'], readonlyPaths: [] })).linux?.maskedPaths, ['/proc/x']);
  const open = generateSpec(input({}, { maskedPaths: [], readonlyPaths: [] }));
  assert.equal(open.linux?.maskedPaths, undefined);
  assert.equal(open.linux?.readonlyPaths, undefined);
});
