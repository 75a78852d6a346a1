import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLONE_NAMESPACE_FLAGS, withDockerParity } from './docker-parity.ts';
import { convertSeccompProfile } from './seccomp-converter.ts';
import { DEFAULT_CAPABILITIES } from './capabilities.ts';
import type { DockerSeccompProfile } from './seccomp-profile.ts';

const lax: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  syscalls: [
    { names: ['read', 'write', 'mount', 'unshare', 'clone', 'clone3', 'keyctl', 'setns'], action: 'SCMP_ACT_ALLOW' },
    { names: ['setns'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};

function actions(caps: readonly string[]): Map<string, string[]> {
  const oci = convertSeccompProfile(withDockerParity(lax), caps, { arch: 'amd64', kernel: '6.1' });
  assert.ok(oci !== null);
  const out = new Map<string, string[]>();
  for (const r of oci.syscalls ?? []) {
    for (const n of r.names) out.set(n, [...(out.get(n) ?? []), `${r.action}${r.errnoRet !== undefined ? `/${r.errnoRet}` : ''}${r.args?.length ? '+args' : ''}`]);
  }
  return out;
}

test('without CAP_SYS_ADMIN: mount, unshare, setns refused; clone only without namespace flags; no keyring', () => {
  const a = actions(DEFAULT_CAPABILITIES);
  assert.deepEqual(a.get('read'), ['SCMP_ACT_ALLOW']);
  assert.deepEqual(a.get('mount'), ['SCMP_ACT_ERRNO/1']);
  assert.deepEqual(a.get('unshare'), ['SCMP_ACT_ERRNO/1']);
  assert.deepEqual(a.get('setns'), ['SCMP_ACT_ERRNO/1']);
  assert.deepEqual(a.get('clone'), ['SCMP_ACT_ALLOW+args']);
  assert.deepEqual(a.get('clone3'), ['SCMP_ACT_ERRNO/38']);
  assert.deepEqual(a.get('keyctl'), ['SCMP_ACT_ERRNO/1']);
  assert.equal(CLONE_NAMESPACE_FLAGS, 0x10000000 | 0x40000000 | 0x20000000 | 0x08000000 | 0x04000000 | 0x02000000 | 0x00020000);
});

test('with CAP_SYS_ADMIN: mount, unshare, setns, clone allowed; keyring still refused', () => {
  const a = actions([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  for (const n of ['mount', 'unshare', 'clone', 'clone3']) assert.deepEqual(a.get(n), ['SCMP_ACT_ALLOW'], n);
  assert.ok(a.get('setns')?.every((x) => x === 'SCMP_ACT_ALLOW'));
  assert.deepEqual(a.get('keyctl'), ['SCMP_ACT_ERRNO/1']);
});

test('the input profile is not modified', () => {
  const before = JSON.stringify(lax);
  withDockerParity(lax);
  assert.equal(JSON.stringify(lax), before);
});
