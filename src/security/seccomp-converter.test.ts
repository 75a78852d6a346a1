import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cachedSeccompProfile, convertSeccompProfile, SeccompConverter } from './seccomp-converter.ts';
import { DEFAULT_CAPABILITIES } from './capabilities.ts';
import { compareKernelVersions, parseKernelVersion } from './kernel-version.ts';
import type { DockerSeccompProfile } from './seccomp-profile.ts';
import { decodeSeccompProfile } from './security-opt.ts';

const AMD64 = { arch: 'amd64', kernel: '6.18.44-fc-v669' };

const profile: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  defaultErrno: 'ENOSYS',
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], comment: 'always', includes: {}, excludes: {} },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['sync_file_range2'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['ppc64le'] } },
    { names: ['sethostname'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['sethostname'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] } },
    { names: ['clone3'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.3' } },
    { names: ['old_thing'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '4.8' } },
    { names: ['not_on_amd64'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
    { name: 'single', action: 'SCMP_ACT_LOG', args: null },
  ],
};

const X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const names = (s: ReturnType<typeof convertSeccompProfile>): string[] => (s?.syscalls ?? []).map((r) => `${r.action}:${r.names.join('+')}`);

const cases: { name: string; input: { caps: string[]; arch?: string; kernel?: string }; want: { architectures?: string[]; rules: string[] } }[] = [
  {
    name: 'default caps on amd64 6.18',
    input: { caps: [...DEFAULT_CAPABILITIES] },
    want: {
      architectures: X86,
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ALLOW:arch_prctl',
        'SCMP_ACT_ERRNO:sethostname', 'SCMP_ACT_ALLOW:clone3', 'SCMP_ACT_LOG:single'],
    },
  },
  {
    name: 'SYS_ADMIN swaps the sethostname rule; bpf needs both caps',
    input: { caps: ['CAP_SYS_ADMIN'] },
    want: {
      architectures: X86,
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ALLOW:arch_prctl',
        'SCMP_ACT_ALLOW:sethostname', 'SCMP_ACT_ALLOW:clone3', 'SCMP_ACT_LOG:single'],
    },
  },
  {
    name: 'SYS_ADMIN + BPF',
    input: { caps: ['CAP_SYS_ADMIN', 'CAP_BPF'] },
    want: {
      architectures: X86,
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ALLOW:arch_prctl',
        'SCMP_ACT_ALLOW:sethostname', 'SCMP_ACT_ALLOW:bpf', 'SCMP_ACT_ALLOW:clone3', 'SCMP_ACT_LOG:single'],
    },
  },
  {
    name: 'old kernel: no clone3, old_thing kept',
    input: { caps: [], kernel: '4.4.0-generic' },
    want: {
      architectures: X86,
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ALLOW:arch_prctl',
        'SCMP_ACT_ERRNO:sethostname', 'SCMP_ACT_ALLOW:old_thing', 'SCMP_ACT_LOG:single'],
    },
  },
  {
    name: 'arm64 host',
    input: { caps: [], arch: 'arm64' },
    want: {
      architectures: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ERRNO:sethostname',
        'SCMP_ACT_ALLOW:clone3', 'SCMP_ACT_ALLOW:not_on_amd64', 'SCMP_ACT_LOG:single'],
    },
  },
  {
    name: 'arch not in archMap: no architectures',
    input: { caps: [], arch: 's390x' },
    want: {
      rules: ['SCMP_ACT_ALLOW:read+write', 'SCMP_ACT_ALLOW:personality', 'SCMP_ACT_ERRNO:sethostname',
        'SCMP_ACT_ALLOW:clone3', 'SCMP_ACT_ALLOW:not_on_amd64', 'SCMP_ACT_LOG:single'],
    },
  },
];

for (const c of cases) {
  test(`convertSeccompProfile: ${c.name}`, () => {
    const got = convertSeccompProfile(profile, c.input.caps, { arch: c.input.arch ?? 'amd64', kernel: c.input.kernel ?? AMD64.kernel });
    assert.ok(got);
    assert.deepEqual(got.architectures, c.want.architectures);
    assert.deepEqual(names(got), c.want.rules);
  });
}

test('convertSeccompProfile keeps the OCI fields and drops Docker-only ones', () => {
  const got = convertSeccompProfile(profile, [], AMD64);
  assert.ok(got);
  assert.equal(got.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(got.defaultErrnoRet, 38);
  assert.deepEqual(Object.keys(got).sort(), ['architectures', 'defaultAction', 'defaultErrnoRet', 'syscalls']);
  assert.deepEqual(got.syscalls?.[0], { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' });
  assert.deepEqual(got.syscalls?.[1], { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] });
  assert.deepEqual(got.syscalls?.[3], { names: ['sethostname'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
});

const errorCases: { name: string; input: DockerSeccompProfile; want: string }[] = [
  {
    name: 'architectures and archMap',
    input: { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }], syscalls: [] },
    want: "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'",
  },
  {
    name: 'name and names',
    input: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'read', names: ['write'], action: 'SCMP_ACT_ALLOW' }] },
    want: "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'",
  },
  {
    name: 'bad minKernel',
    input: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['x'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: 'five' } }] },
    want: "Can't parse kernel version five",
  },
];
for (const c of errorCases) {
  test(`convertSeccompProfile error: ${c.name}`, () => {
    assert.throws(() => convertSeccompProfile(c.input, [], AMD64), { message: c.want, kind: 'invalid-argument' });
  });
}

test('an empty profile means no seccomp (moby)', () => {
  assert.equal(convertSeccompProfile({ defaultAction: '' }, [], AMD64), null);
});

test('explicit architectures are kept', () => {
  const got = convertSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] }, [], AMD64);
  assert.deepEqual(got?.architectures, ['SCMP_ARCH_X86_64']);
});

test('SeccompConverter memoises per capability set, independent of order, and freezes', () => {
  const conv = new SeccompConverter(profile, AMD64);
  const a = conv.convert(['CAP_KILL', 'CAP_CHOWN']);
  const b = conv.convert(['CAP_CHOWN', 'CAP_KILL']);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a?.syscalls) && Object.isFrozen(a?.syscalls?.[0]?.names));
  assert.notEqual(conv.convert(['CAP_SYS_ADMIN']), a);
  assert.deepEqual(a, convertSeccompProfile(profile, ['CAP_KILL', 'CAP_CHOWN'], AMD64));
});

test('cachedSeccompProfile shares converters per profile and host', () => {
  const a = cachedSeccompProfile(profile, [...DEFAULT_CAPABILITIES], AMD64);
  assert.equal(cachedSeccompProfile(profile, [...DEFAULT_CAPABILITIES].reverse(), AMD64), a);
  assert.notEqual(cachedSeccompProfile(profile, [...DEFAULT_CAPABILITIES], { ...AMD64, kernel: '4.4' }), a);
});

test('kernel versions compare numerically and ignore the flavour', () => {
  assert.deepEqual(parseKernelVersion('6.18.44-fc-v669'), { major: 6, minor: 18, patch: 44 });
  assert.deepEqual(parseKernelVersion('4.8'), { major: 4, minor: 8, patch: 0 });
  assert.ok(compareKernelVersions(parseKernelVersion('4.10'), parseKernelVersion('4.9.300')) > 0);
  assert.equal(compareKernelVersions(parseKernelVersion('5.3.0'), parseKernelVersion('5.3')), 0);
});

// PLATFORM.md §5.1: the containers-common profile converted for runc spec's 3 caps keeps 19 rules.
const HOST_PROFILE = '/usr/share/containers/seccomp.json';
test('containers-common profile: 19 rules for runc spec caps on amd64', { skip: !existsSync(HOST_PROFILE) && `${HOST_PROFILE} absent` }, () => {
  const p = decodeSeccompProfile(readFileSync(HOST_PROFILE, 'utf8'));
  const got = convertSeccompProfile(p, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'], AMD64);
  assert.equal(got?.syscalls?.length, 19);
  assert.deepEqual(got?.architectures, X86);
});
