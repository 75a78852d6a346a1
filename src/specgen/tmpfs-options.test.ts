import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpfsMountOptions } from './tmpfs-options.ts';

const cases: { name: string; input: string | string[]; want: string[] | string }[] = [
  { name: 'no options: Docker defaults', input: '', want: ['noexec', 'nosuid', 'nodev', 'rprivate'] },
  { name: 'rw,noexec,size', input: 'rw,noexec,size=65536k', want: ['nosuid', 'nodev', 'rprivate', 'rw', 'noexec', 'size=65536k'] },
  { name: 'exec overrides noexec', input: 'exec', want: ['nosuid', 'nodev', 'rprivate', 'exec'] },
  { name: 'last size wins', input: 'size=1m,mode=1777,size=2m', want: ['noexec', 'nosuid', 'nodev', 'rprivate', 'mode=1777', 'size=2m'] },
  { name: 'one propagation mode', input: ['rshared'], want: ['noexec', 'nosuid', 'nodev', 'rshared'] },
  { name: 'defaults is skipped', input: 'defaults,ro', want: ['noexec', 'nosuid', 'nodev', 'rprivate', 'ro'] },
  { name: 'unknown data key', input: 'bogus=1', want: 'invalid tmpfs option ["bogus" "1"]' },
  { name: 'unknown flag', input: 'fast', want: 'invalid tmpfs option ["fast"]' },
];
for (const c of cases) {
  test(`tmpfsMountOptions: ${c.name}`, () => {
    if (typeof c.want === 'string') assert.throws(() => tmpfsMountOptions(c.input), { message: c.want, kind: 'invalid-argument' });
    else assert.deepEqual(tmpfsMountOptions(c.input), c.want);
  });
}
