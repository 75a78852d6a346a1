import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ulimit } from '../api/types/index.ts';
import type { OciRlimit } from '../oci/index.ts';
import { buildRlimits } from './rlimits.ts';

const HOST = { RLIMIT_NOFILE: 20000, RLIMIT_NPROC: 4096 };
const NOFILE = (soft: number, hard: number): OciRlimit => ({ type: 'RLIMIT_NOFILE', soft, hard });

const cases: { name: string; input: { ulimits: Ulimit[] | null; host?: Record<string, number> }; want: OciRlimit[] | string }[] = [
  { name: 'Docker default clamped to the host', input: { ulimits: null }, want: [NOFILE(20000, 20000)] },
  { name: 'Docker default without host facts', input: { ulimits: null, host: {} }, want: [NOFILE(1048576, 1048576)] },
  { name: 'request under the host limit', input: { ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }] }, want: [NOFILE(1024, 4096)] },
  { name: 'request over the host limit', input: { ulimits: [{ Name: 'nofile', Soft: 30000, Hard: 40000 }] }, want: [NOFILE(20000, 20000)] },
  { name: 'soft kept under clamped hard', input: { ulimits: [{ Name: 'nofile', Soft: 1000, Hard: 99999 }] }, want: [NOFILE(1000, 20000)] },
  {
    name: 'other names, unlimited clamped', input: { ulimits: [{ Name: 'nproc', Soft: -1, Hard: -1 }, { Name: 'core', Soft: 0, Hard: 0 }] },
    want: [NOFILE(20000, 20000), { type: 'RLIMIT_NPROC', soft: 4096, hard: 4096 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }],
  },
  { name: 'unknown name', input: { ulimits: [{ Name: 'files', Soft: 1, Hard: 1 }] }, want: 'invalid ulimit type: files' },
  { name: 'soft over hard', input: { ulimits: [{ Name: 'nofile', Soft: 10, Hard: 5 }] }, want: 'ulimit soft limit must be less than or equal to hard limit: 10 > 5' },
];
for (const c of cases) {
  test(`buildRlimits: ${c.name}`, () => {
    const run = (): OciRlimit[] => buildRlimits(c.input.ulimits, c.input.host ?? HOST);
    if (typeof c.want === 'string') assert.throws(run, { message: c.want, kind: 'invalid-argument' });
    else assert.deepEqual(run(), c.want);
  });
}
