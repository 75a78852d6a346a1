import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityOpt, type SecurityOptions } from './security-opt.ts';

const base: SecurityOptions = { noNewPrivileges: false, seccomp: { mode: 'default' }, systemPathsUnconfined: false, warnings: [] };
const profileJson = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });

const cases: { name: string; input: string[] | null; want: SecurityOptions | string }[] = [
  { name: 'none', input: null, want: base },
  { name: 'no-new-privileges', input: ['no-new-privileges'], want: { ...base, noNewPrivileges: true } },
  { name: 'no-new-privileges:true', input: ['no-new-privileges:true'], want: { ...base, noNewPrivileges: true } },
  { name: 'no-new-privileges=false after true', input: ['no-new-privileges', 'no-new-privileges=false'], want: base },
  { name: 'no-new-privileges=1 (Go ParseBool)', input: ['no-new-privileges=1'], want: { ...base, noNewPrivileges: true } },
  { name: 'no-new-privileges=maybe', input: ['no-new-privileges=maybe'], want: 'invalid --security-opt 2: "no-new-privileges=maybe"' },
  { name: 'seccomp=unconfined', input: ['seccomp=unconfined'], want: { ...base, seccomp: { mode: 'unconfined' } } },
  { name: 'seccomp:unconfined (old separator)', input: ['seccomp:unconfined'], want: { ...base, seccomp: { mode: 'unconfined' } } },
  { name: 'seccomp=builtin', input: ['seccomp=builtin'], want: base },
  {
    name: 'seccomp=<json>', input: [`seccomp=${profileJson}`],
    want: { ...base, seccomp: { mode: 'custom', profile: JSON.parse(profileJson) } },
  },
  { name: 'seccomp=<not json>', input: ['seccomp=default'], want: 'Decoding seccomp profile failed: ' },
  { name: 'seccomp=<json, not a profile>', input: ['seccomp=[1]'], want: 'Decoding seccomp profile failed: not a seccomp profile object' },
  { name: 'systempaths=unconfined', input: ['systempaths=unconfined'], want: { ...base, systemPathsUnconfined: true } },
  { name: 'systempaths=other', input: ['systempaths=confined'], want: 'invalid --security-opt 2: "systempaths=confined"' },
  {
    name: 'apparmor is accepted with a warning', input: ['apparmor=docker-default'],
    want: { ...base, warnings: ['AppArmor is not available on this host: security option "apparmor=docker-default" is ignored'] },
  },
  {
    name: 'label is accepted with a warning', input: ['label=type:svirt_apache_t'],
    want: { ...base, warnings: ['SELinux is not available on this host: security option "label=type:svirt_apache_t" is ignored'] },
  },
  { name: 'label=disable is a no-op', input: ['label=disable'], want: base },
  { name: 'disable is a no-op', input: ['disable'], want: base },
  { name: 'no value', input: ['label'], want: 'invalid --security-opt 1: "label"' },
  { name: 'unknown key', input: ['unknown=something'], want: 'invalid --security-opt 2: "unknown=something"' },
];

for (const c of cases) {
  test(`parseSecurityOpt: ${c.name}`, () => {
    if (typeof c.want === 'string') {
      const prefix = new RegExp(`^${c.want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
      assert.throws(() => parseSecurityOpt(c.input), { message: prefix, kind: 'invalid-argument' });
    } else {
      const got = parseSecurityOpt(c.input);
      if (got.seccomp.mode === 'custom') got.seccomp.profile = JSON.parse(JSON.stringify(got.seccomp.profile));
      assert.deepEqual(got, c.want);
    }
  });
}
