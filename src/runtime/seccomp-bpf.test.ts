// SeccompBpfCompiler against the host's libseccomp (through koffi). The profile a real container
// gets (containers-common's, converted by security/ for Docker's default capabilities) is
// compiled in test/integration/seccomp-bpf.test.ts: the layer rule keeps runtime tests from
// importing security/. Here the containers-common file is compiled as it is (crun accepts it
// unconverted: the superset of every conditional rule), plus hand-written profiles for the
// crun rules that decide between "compile" and "leave it to crun".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { OciSeccomp } from '../oci/index.ts';
import { SECCOMP_BPF_ANNOTATION, SeccompBpfCompiler } from './seccomp-bpf.ts';

const CONTAINERS_PROFILE = '/usr/share/containers/seccomp.json';
const unavailable = new SeccompBpfCompiler().unavailableReason;
const skip = unavailable === undefined ? false : `libseccomp.so.2 or koffi not loadable: ${unavailable}`;
if (skip !== false) console.log(`# seccomp-bpf tests skipped: ${skip}`);

const small: OciSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    { names: ['swapon', 'swapoff'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 4294967295, op: 'SCMP_CMP_EQ' }] },
    {
      names: ['clone'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    },
    // the same index twice: crun adds one rule per comparison ("any of")
    {
      names: ['socket'], action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }],
    },
  ],
};

function isProgram(b: Buffer | null): b is Buffer {
  return b !== null && b.length > 0 && b.length % 8 === 0;
}

test('compiles the containers-common profile to a sock_filter array, once', { skip: skip || !existsSync(CONTAINERS_PROFILE) }, () => {
  const profile = JSON.parse(readFileSync(CONTAINERS_PROFILE, 'utf8')) as OciSeccomp;
  const c = new SeccompBpfCompiler();
  const t0 = performance.now();
  const bpf = c.compile(profile);
  const t1 = performance.now();
  assert.ok(isProgram(bpf), `non-empty multiple of 8 bytes (${bpf?.length}); ${c.lastError}`);
  assert.equal(c.compile(profile), bpf, 'second call returns the cached Buffer');
  // an equal profile that is a different object hits the same entry (keyed by JSON)
  assert.equal(c.compile(JSON.parse(JSON.stringify(profile)) as OciSeccomp), bpf);
  console.log(`# ${CONTAINERS_PROFILE}: ${bpf.length / 8} instructions, first compile ${(t1 - t0).toFixed(1)} ms`);
});

test('annotationFor carries the same program, base64', { skip }, () => {
  const c = new SeccompBpfCompiler();
  const bpf = c.compile(small);
  assert.ok(isProgram(bpf), String(c.lastError));
  const ann = c.annotationFor(small);
  assert.deepEqual(Object.keys(ann), [SECCOMP_BPF_ANNOTATION]);
  assert.ok(Buffer.from(ann[SECCOMP_BPF_ANNOTATION]!, 'base64').equals(bpf));
});

test('unknown syscall names are skipped as crun skips them', { skip }, () => {
  const c = new SeccompBpfCompiler();
  const withUnknown: OciSeccomp = {
    ...small,
    syscalls: [...small.syscalls!, { names: ['no_such_syscall_berth'], action: 'SCMP_ACT_ALLOW' }],
  };
  const a = c.compile(withUnknown);
  assert.ok(isProgram(a), String(c.lastError));
  assert.ok(a.equals(c.compile(small)!), 'the unknown name adds nothing to the program');
});

test('the errno and the rules are in the program', { skip }, () => {
  const c = new SeccompBpfCompiler();
  const base = c.compile(small)!;
  const otherErrno = c.compile({ ...small, defaultErrnoRet: 1 });
  const fewerRules = c.compile({ ...small, syscalls: small.syscalls!.slice(0, 2) });
  assert.ok(isProgram(otherErrno) && isProgram(fewerRules));
  assert.ok(!otherErrno.equals(base));
  assert.ok(fewerRules.length < base.length);
  // rules whose action is the default are dropped (libseccomp refuses them), not an error
  const redundant = c.compile({ ...small, syscalls: [...small.syscalls!, { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] });
  assert.ok(redundant !== null && redundant.equals(base));
});

test('profiles crun would reject get no annotation, so crun reports its own error', { skip }, () => {
  const c = new SeccompBpfCompiler();
  const bad: OciSeccomp[] = [
    { ...small, defaultAction: 'SCMP_ACT_ALLOW' }, // defaultErrnoRet with a non-errno action
    { ...small, architectures: ['SCMP_ARCH_NOPE'] },
    { ...small, syscalls: [{ names: ['read'], action: 'SCMP_ACT_PERHAPS' }] },
    { ...small, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] },
    { ...small, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }] },
    { ...small, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_SOMETIMES' }] }] },
    // above 2^53 a JSON number is no longer the exact u64; leave it to crun
    { ...small, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2 ** 60 + 1, op: 'SCMP_CMP_EQ' }] }] },
  ];
  for (const p of bad) {
    assert.equal(c.compile(p), null, JSON.stringify(p.syscalls?.[0]));
    assert.deepEqual(c.annotationFor(p), {});
    assert.ok(c.lastError !== undefined);
  }
});

test('without libseccomp there is no annotation and nothing throws', () => {
  const c = new SeccompBpfCompiler({ libraryPath: 'libseccomp-berth-missing.so.9' });
  assert.equal(c.compile(small), null);
  assert.deepEqual(c.annotationFor(small), {});
  assert.ok(c.unavailableReason !== undefined);
});

test('the cache is bounded (least recently used goes first)', { skip }, () => {
  const c = new SeccompBpfCompiler({ maxEntries: 1 });
  const a = c.compile(small);
  c.compile({ ...small, defaultErrnoRet: 1 });
  const again = c.compile(small);
  assert.ok(a !== null && again !== null);
  assert.notEqual(again, a, 'evicted, compiled anew');
  assert.ok(again.equals(a));
});
