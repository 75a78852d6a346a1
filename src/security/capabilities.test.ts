import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CAPABILITIES, KNOWN_CAPABILITIES, normalizeCapabilities, resolveCapabilities, type CapabilityRequest } from './capabilities.ts';
import { UnavailableCapabilityError, UnknownCapabilityError } from './errors.ts';

const HOST_WITHOUT_SYS_RESOURCE = KNOWN_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
const D = DEFAULT_CAPABILITIES;

test('DEFAULT_CAPABILITIES is moby oci/caps/defaults.go', () => {
  assert.equal(D.length, 14);
  assert.deepEqual([...D].sort(), [
    'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
    'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
  ]);
  assert.equal(KNOWN_CAPABILITIES.length, 41);
  assert.equal(KNOWN_CAPABILITIES[21], 'CAP_SYS_ADMIN');
  assert.equal(KNOWN_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
});

const normalizeCases: { name: string; input: string[]; want: string[] | Error }[] = [
  { name: 'bare lower-case name', input: ['net_admin'], want: ['CAP_NET_ADMIN'] },
  { name: 'CAP_ prefix, mixed case', input: ['Cap_Sys_Admin'], want: ['CAP_SYS_ADMIN'] },
  { name: 'ALL any case', input: ['all'], want: ['ALL'] },
  { name: 'unknown name', input: ['FOO'], want: new UnknownCapabilityError('CAP_FOO') },
  { name: 'unknown with prefix', input: ['cap_bogus'], want: new UnknownCapabilityError('CAP_BOGUS') },
];
for (const c of normalizeCases) {
  test(`normalizeCapabilities: ${c.name}`, () => {
    if (c.want instanceof Error) assert.throws(() => normalizeCapabilities(c.input), { message: c.want.message, kind: 'invalid-argument' });
    else assert.deepEqual(normalizeCapabilities(c.input), c.want);
  });
}

test('unknown capability wording is Docker\'s', () => {
  assert.throws(() => normalizeCapabilities(['foo']), { message: 'unknown capability: "CAP_FOO"' });
});

const resolveCases: { name: string; input: CapabilityRequest; want: string[] | Error }[] = [
  { name: 'nothing asked: defaults', input: {}, want: [...D] },
  { name: 'null lists: defaults', input: { add: null, drop: null }, want: [...D] },
  { name: 'add one', input: { add: ['NET_ADMIN'] }, want: [...D, 'CAP_NET_ADMIN'] },
  { name: 'add a default again: no duplicate', input: { add: ['chown'] }, want: [...D] },
  { name: 'drop one', input: { drop: ['cap_net_raw'] }, want: D.filter((c) => c !== 'CAP_NET_RAW') },
  { name: 'drop ALL, add one', input: { drop: ['ALL'], add: ['kill'] }, want: ['CAP_KILL'] },
  { name: 'drop ALL', input: { drop: ['all'] }, want: [] },
  {
    name: 'add ALL minus drop', input: { add: ['ALL'], drop: ['SYS_ADMIN'], available: HOST_WITHOUT_SYS_RESOURCE },
    want: HOST_WITHOUT_SYS_RESOURCE.filter((c) => c !== 'CAP_SYS_ADMIN'),
  },
  { name: 'privileged: everything the daemon has', input: { privileged: true, drop: ['ALL'], available: HOST_WITHOUT_SYS_RESOURCE }, want: [...HOST_WITHOUT_SYS_RESOURCE] },
  { name: 'privileged without host facts: all known', input: { privileged: true }, want: [...KNOWN_CAPABILITIES] },
  { name: 'unknown add', input: { add: ['NOPE'] }, want: new UnknownCapabilityError('CAP_NOPE') },
  { name: 'unknown drop', input: { drop: ['NOPE'] }, want: new UnknownCapabilityError('CAP_NOPE') },
  {
    name: 'add a cap the daemon lacks', input: { add: ['SYS_RESOURCE'], available: HOST_WITHOUT_SYS_RESOURCE },
    want: new UnavailableCapabilityError('CAP_SYS_RESOURCE'),
  },
  {
    name: 'drop a cap the daemon lacks is fine', input: { drop: ['SYS_RESOURCE'], available: HOST_WITHOUT_SYS_RESOURCE },
    want: [...D],
  },
];
for (const c of resolveCases) {
  test(`resolveCapabilities: ${c.name}`, () => {
    if (c.want instanceof Error) assert.throws(() => resolveCapabilities(c.input), { message: c.want.message, kind: 'invalid-argument' });
    else assert.deepEqual(resolveCapabilities(c.input), c.want);
  });
}
