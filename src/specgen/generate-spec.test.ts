import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig } from '../api/types/index.ts';
import type { OciSpec } from '../oci/index.ts';
import { DEFAULT_CAPABILITIES, KNOWN_CAPABILITIES, type DockerSeccompProfile } from '../security/index.ts';
import { generateSpec } from './generate-spec.ts';
import type { SpecInput } from './spec-input.ts';

const ID = 'a'.repeat(64);
const PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['sethostname'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};
const HOST_CAPS = KNOWN_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');

function baseInput(): SpecInput {
  return {
    id: ID,
    rootfsPath: `/var/lib/berth/overlay2/${ID}/merged`,
    args: ['sh', '-c', 'echo hi'],
    env: ['FOO=bar'],
    cwd: '',
    user: { uid: 0, gid: 0, additionalGids: [0] },
    hostname: 'aaaaaaaaaaaa',
    tty: false,
    openStdin: false,
    hostConfig: {},
    extraMounts: [
      { destination: '/etc/resolv.conf', source: `/var/lib/berth/containers/${ID}/resolv.conf`, type: 'bind', options: ['rbind', 'rprivate'] },
    ],
    netns: '/run/netns/berth-aaaa',
    cgroupsPath: `/berth/${ID}`,
    host: {
      arch: 'amd64', kernel: '6.18.44-fc-v669', hardLimits: { RLIMIT_NOFILE: 20000 }, seccompProfile: PROFILE,
      cgroupVersion: 1, capabilities: HOST_CAPS,
    },
  };
}

test('generateSpec: the default container, in full', () => {
  const spec = generateSpec(baseInput());
  const caps = [...DEFAULT_CAPABILITIES];
  const want: OciSpec = {
    ociVersion: '1.1.0',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0, additionalGids: [0] },
      args: ['sh', '-c', 'echo hi'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=aaaaaaaaaaaa', 'FOO=bar'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }],
    },
    root: { path: `/var/lib/berth/overlay2/${ID}/merged`, readonly: false },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: `/var/lib/berth/containers/${ID}/resolv.conf`, options: ['rbind', 'rprivate'] },
    ],
    linux: {
      namespaces: [{ type: 'mount' }, { type: 'network', path: '/run/netns/berth-aaaa' }, { type: 'uts' }, { type: 'pid' }, { type: 'ipc' }],
      devices: [],
      cgroupsPath: `/berth/${ID}`,
      resources: {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
          { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
          { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
          { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
          { allow: true, type: 'c', major: 136, access: 'rwm' },
          { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
          { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
          { allow: true, type: 'c', access: 'm' },
          { allow: true, type: 'b', access: 'm' },
        ],
      },
      sysctl: { 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' },
      seccomp: {
        defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
      },
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug',
        '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
    hostname: 'aaaaaaaaaaaa',
  };
  assert.deepEqual(spec, want);
  assert.deepEqual(generateSpec(baseInput()), spec, 'same input, equal output');
});

type Patch = Partial<Omit<SpecInput, 'hostConfig' | 'host'>> & { hostConfig?: HostConfig; host?: Partial<SpecInput['host']> };

function inputWith(patch: Patch): SpecInput {
  const base = baseInput();
  return { ...base, ...patch, hostConfig: { ...base.hostConfig, ...patch.hostConfig }, host: { ...base.host, ...patch.host } };
}

/** Follows a dotted path ("linux.resources.memory", "mounts.7.options") through plain objects and arrays. */
function pick(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.entries(cur).find(([k]) => k === key)?.[1];
  }
  return cur;
}

const mountOf = (spec: OciSpec, destination: string): unknown => spec.mounts?.find((m) => m.destination === destination);
const nsTypes = (spec: OciSpec): string[] => (spec.linux?.namespaces ?? []).map((n) => (n.path ? `${n.type}=${n.path}` : n.type));

const cases: { name: string; input: Patch; want: Record<string, unknown> | ((spec: OciSpec) => void) | string }[] = [
  {
    name: 'tty adds TERM and a console size',
    input: { tty: true, hostConfig: { ConsoleSize: [40, 120] } },
    want: { 'process.terminal': true, 'process.consoleSize': { height: 40, width: 120 }, 'process.env.2': 'TERM=xterm' },
  },
  {
    name: 'non-root gets only the bounding set',
    input: { user: { uid: 1000, gid: 1000, additionalGids: [1000, 100] } },
    want: {
      'process.user': { uid: 1000, gid: 1000, additionalGids: [1000, 100] },
      'process.capabilities': { bounding: [...DEFAULT_CAPABILITIES] },
    },
  },
  {
    name: 'cap-add SYS_ADMIN, cap-drop NET_RAW: caps and seccomp follow',
    input: { hostConfig: { CapAdd: ['sys_admin'], CapDrop: ['CAP_NET_RAW'] } },
    want: {
      'process.capabilities.bounding': [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_NET_RAW'), 'CAP_SYS_ADMIN'],
      'linux.seccomp.syscalls': [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['sethostname'], action: 'SCMP_ACT_ALLOW' }],
    },
  },
  { name: 'unknown capability', input: { hostConfig: { CapAdd: ['FLY'] } }, want: 'unknown capability: "CAP_FLY"' },
  {
    name: 'privileged: host caps, no seccomp, no masked paths, rw /sys, all devices',
    input: { hostConfig: { Privileged: true }, hostDevices: [{ type: 'c', path: '/dev/kmsg', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 }] },
    want: (spec) => {
      assert.deepEqual(spec.process?.capabilities?.bounding, HOST_CAPS);
      assert.equal(spec.linux?.seccomp, undefined);
      assert.equal(spec.linux?.maskedPaths, undefined);
      assert.equal(spec.linux?.readonlyPaths, undefined);
      assert.deepEqual(pick(mountOf(spec, '/sys'), 'options'), ['nosuid', 'noexec', 'nodev']);
      assert.deepEqual(pick(mountOf(spec, '/sys/fs/cgroup'), 'options'), ['nosuid', 'noexec', 'nodev']);
      assert.deepEqual(spec.linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
      assert.equal(spec.linux?.devices?.[0]?.path, '/dev/kmsg');
    },
  },
  {
    name: 'seccomp=unconfined, no-new-privileges',
    input: { hostConfig: { SecurityOpt: ['seccomp=unconfined', 'no-new-privileges'] } },
    want: { 'linux.seccomp': undefined, 'process.noNewPrivileges': true },
  },
  {
    name: 'custom seccomp JSON',
    input: { hostConfig: { SecurityOpt: [`seccomp=${JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['swapon'], action: 'SCMP_ACT_ERRNO' }] })}`] } },
    want: { 'linux.seccomp': { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['swapon'], action: 'SCMP_ACT_ERRNO' }] } },
  },
  { name: 'no host profile: no seccomp', input: { host: { seccompProfile: null } }, want: { 'linux.seccomp': undefined } },
  { name: 'bad security-opt', input: { hostConfig: { SecurityOpt: ['bogus'] } }, want: 'invalid --security-opt 1: "bogus"' },
  {
    name: 'systempaths=unconfined',
    input: { hostConfig: { SecurityOpt: ['systempaths=unconfined'] } },
    want: { 'linux.maskedPaths': undefined, 'linux.readonlyPaths': undefined, 'linux.seccomp.defaultAction': 'SCMP_ACT_ERRNO' },
  },
  {
    name: 'MaskedPaths/ReadonlyPaths from the request',
    input: { maskedPaths: ['/proc/kcore'], readonlyPaths: [] },
    want: { 'linux.maskedPaths': ['/proc/kcore'], 'linux.readonlyPaths': undefined },
  },
  {
    name: 'resources: memory, swap default, cpus, shares, pids; never blockIO',
    input: { hostConfig: { Memory: 64 << 20, NanoCpus: 500_000_000, CpuShares: 512, PidsLimit: 50 } },
    want: {
      'linux.resources.memory': { limit: 64 << 20, swap: 128 << 20 },
      'linux.resources.cpu': { shares: 512, period: 100000, quota: 50000 },
      'linux.resources.pids': { limit: 50 },
      'linux.resources.blockIO': undefined,
    },
  },
  {
    name: 'resources: explicit swap, unlimited swap, pids 0 and -1 ignored',
    input: { hostConfig: { Memory: 32 << 20, MemorySwap: -1, PidsLimit: -1, NanoCpus: 1_500_000_000 } },
    want: { 'linux.resources.memory': { limit: 32 << 20 }, 'linux.resources.pids': undefined, 'linux.resources.cpu': { period: 100000, quota: 150000 } },
  },
  { name: 'negative shares', input: { hostConfig: { CpuShares: -2 } }, want: 'shares: invalid argument' },
  {
    name: 'ulimits clamped to the host',
    input: { hostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 65536 }, { Name: 'nproc', Soft: 100, Hard: 200 }] } },
    want: { 'process.rlimits': [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 }, { type: 'RLIMIT_NPROC', soft: 100, hard: 200 }] },
  },
  { name: 'oomScoreAdj positive kept', input: { hostConfig: { OomScoreAdj: 500 } }, want: { 'process.oomScoreAdj': 500 } },
  { name: 'oomScoreAdj negative dropped', input: { hostConfig: { OomScoreAdj: -500 } }, want: { 'process.oomScoreAdj': undefined } },
  {
    name: 'read-only rootfs',
    input: { hostConfig: { ReadonlyRootfs: true } },
    want: (spec) => {
      assert.equal(spec.root?.readonly, true);
      assert.deepEqual(pick(mountOf(spec, '/dev'), 'options'), ['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
      assert.deepEqual(pick(mountOf(spec, '/sys/fs/cgroup'), 'options'), ['ro', 'nosuid', 'noexec', 'nodev']);
      assert.deepEqual(pick(mountOf(spec, '/etc/resolv.conf'), 'options'), ['rbind', 'rprivate']);
    },
  },
  {
    name: 'ShmSize and Tmpfs; user mounts sorted parents first',
    input: {
      hostConfig: { ShmSize: 1 << 20, Tmpfs: { '/run/x/y': 'size=1m', '/run': 'rw,exec' } },
      extraMounts: [{ destination: '/data', source: '/srv/data', type: 'bind', options: ['ro'] }],
    },
    want: (spec) => {
      assert.deepEqual(pick(mountOf(spec, '/dev/shm'), 'options'), ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=1048576']);
      assert.deepEqual(spec.mounts?.slice(7).map((m) => m.destination), ['/data', '/run', '/run/x/y']);
      assert.deepEqual(mountOf(spec, '/data'), { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro'] });
      assert.deepEqual(mountOf(spec, '/run'), { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'rw', 'exec'] });
    },
  },
  { name: 'bad tmpfs option', input: { hostConfig: { Tmpfs: { '/t': 'turbo' } } }, want: 'invalid tmpfs option ["turbo"]' },
  {
    name: 'a user /dev replaces every default under /dev',
    input: { extraMounts: [{ destination: '/dev', source: '/dev', type: 'bind', options: ['rbind'] }] },
    want: (spec) => {
      assert.deepEqual(spec.mounts?.map((m) => m.destination), ['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
    },
  },
  {
    name: '--init: bind and args',
    input: { initPath: '/usr/bin/catatonit' },
    want: (spec) => {
      assert.deepEqual(spec.process?.args, ['/sbin/docker-init', '--', 'sh', '-c', 'echo hi']);
      assert.deepEqual(mountOf(spec, '/sbin/docker-init'), { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro'] });
    },
  },
  {
    name: '--init is skipped with --pid host',
    input: { initPath: '/usr/bin/catatonit', hostConfig: { PidMode: 'host' } },
    want: (spec) => {
      assert.deepEqual(spec.process?.args, ['sh', '-c', 'echo hi']);
      assert.equal(mountOf(spec, '/sbin/docker-init'), undefined);
      assert.deepEqual(nsTypes(spec), ['mount', 'network=/run/netns/berth-aaaa', 'uts', 'ipc']);
    },
  },
  {
    name: 'host network: no netns, no network sysctls',
    input: { netns: 'host', hostConfig: { NetworkMode: 'host' } },
    want: (spec) => {
      assert.deepEqual(nsTypes(spec), ['mount', 'uts', 'pid', 'ipc']);
      assert.equal(spec.linux?.sysctl, undefined);
    },
  },
  { name: 'private network', input: { netns: 'private' }, want: (spec) => assert.deepEqual(nsTypes(spec), ['mount', 'network', 'uts', 'pid', 'ipc']) },
  { name: 'cgroup v2: private cgroup namespace', input: { host: { cgroupVersion: 2 } }, want: (spec) => assert.equal(nsTypes(spec).at(-1), 'cgroup') },
  {
    name: 'uts host: no hostname, no domainname sysctl',
    input: { domainname: 'example.org', hostConfig: { UTSMode: 'host' } },
    want: (spec) => {
      assert.equal(spec.hostname, undefined);
      assert.deepEqual(nsTypes(spec), ['mount', 'network=/run/netns/berth-aaaa', 'pid', 'ipc']);
      assert.equal(spec.linux?.sysctl?.['kernel.domainname'], undefined);
    },
  },
  {
    name: 'domainname and user sysctls (which win)',
    input: { domainname: 'example.org', hostConfig: { Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024', 'net.core.somaxconn': '1024' } } },
    want: {
      'linux.sysctl': {
        'kernel.domainname': 'example.org', 'net.ipv4.ping_group_range': '0 2147483647',
        'net.ipv4.ip_unprivileged_port_start': '1024', 'net.core.somaxconn': '1024',
      },
    },
  },
  {
    name: 'ipc host: shared namespace and the host /dev/shm',
    input: { hostConfig: { IpcMode: 'host' } },
    want: (spec) => {
      assert.deepEqual(nsTypes(spec), ['mount', 'network=/run/netns/berth-aaaa', 'uts', 'pid']);
      assert.deepEqual(mountOf(spec, '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
    },
  },
  { name: 'ipc none: no /dev/shm', input: { hostConfig: { IpcMode: 'none' } }, want: (spec) => assert.equal(mountOf(spec, '/dev/shm'), undefined) },
  {
    name: 'pid/ipc container:<id> join the resolved paths',
    input: { hostConfig: { PidMode: 'container:web', IpcMode: 'container:web' }, namespacePaths: { pid: '/proc/42/ns/pid', ipc: '/proc/42/ns/ipc' } },
    want: (spec) => assert.deepEqual(nsTypes(spec), ['mount', 'network=/run/netns/berth-aaaa', 'uts', 'pid=/proc/42/ns/pid', 'ipc=/proc/42/ns/ipc']),
  },
  { name: 'pid container:<id> unresolved', input: { hostConfig: { PidMode: 'container:web' } }, want: 'invalid PID mode: container:web: namespace path not resolved' },
  { name: 'bad PID mode', input: { hostConfig: { PidMode: 'weird' } }, want: 'invalid PID mode: weird' },
  { name: 'bad IPC mode', input: { hostConfig: { IpcMode: 'weird' } }, want: 'invalid IPC mode: weird' },
  { name: 'bad UTS mode', input: { hostConfig: { UTSMode: 'weird' } }, want: 'invalid UTS mode: weird' },
  {
    name: 'shared bind sets rootfs propagation',
    input: { extraMounts: [{ destination: '/mnt', source: '/mnt', type: 'bind', options: ['rbind', 'rshared'] }] },
    want: { 'linux.rootfsPropagation': 'shared' },
  },
  { name: 'annotations', input: { annotations: { 'org.example': 'x' } }, want: { annotations: { 'org.example': 'x' } } },
  { name: 'cwd kept', input: { cwd: '/srv' }, want: { 'process.cwd': '/srv' } },
];

for (const c of cases) {
  test(`generateSpec: ${c.name}`, () => {
    const input = inputWith(c.input);
    const want = c.want;
    if (typeof want === 'string') {
      assert.throws(() => generateSpec(input), { message: want, kind: 'invalid-argument' });
      return;
    }
    const spec = generateSpec(input);
    if (typeof want === 'function') want(spec);
    else for (const [path, value] of Object.entries(want)) assert.deepEqual(pick(spec, path), value, path);
  });
}
