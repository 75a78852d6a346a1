import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUser } from './user.ts';
import type { ResolvedUser } from './spec-input.ts';

// The busybox rootfs of scripts/busybox-rootfs.sh, plus a user in two groups.
const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
alice:x:1000:1000::/home/alice:/bin/sh
`;
const GROUP = `root:x:0:
daemon:x:1:
www-data:x:33:
users:x:100:www-data,alice
wheel:x:10:alice
alice:x:1000:
nogroup:x:65534:
`;

const cases: { name: string; input: { user: string; passwd?: string | null; group?: string | null; groupAdd?: string[] }; want: ResolvedUser | string }[] = [
  { name: 'empty is root', input: { user: '' }, want: { uid: 0, gid: 0, additionalGids: [0] } },
  { name: 'by name', input: { user: 'www-data' }, want: { uid: 33, gid: 33, additionalGids: [33, 100] } },
  { name: 'by uid in passwd: its groups too', input: { user: '1000' }, want: { uid: 1000, gid: 1000, additionalGids: [1000, 100, 10] } },
  { name: 'uid not in passwd', input: { user: '4242' }, want: { uid: 4242, gid: 0, additionalGids: [0] } },
  { name: 'uid:gid not in files', input: { user: '4242:4343' }, want: { uid: 4242, gid: 4343, additionalGids: [4343] } },
  { name: 'name:group, no supplementary groups', input: { user: 'alice:users' }, want: { uid: 1000, gid: 100, additionalGids: [100] } },
  { name: 'name:gid', input: { user: 'daemon:33' }, want: { uid: 1, gid: 33, additionalGids: [33] } },
  { name: 'extra fields ignored', input: { user: 'daemon:1:junk' }, want: { uid: 1, gid: 1, additionalGids: [1] } },
  { name: 'numeric without files', input: { user: '1000:1000', passwd: null, group: null }, want: { uid: 1000, gid: 1000, additionalGids: [1000] } },
  { name: 'root without files', input: { user: '', passwd: null, group: null }, want: { uid: 0, gid: 0, additionalGids: [0] } },
  {
    name: 'GroupAdd by name and number', input: { user: 'nobody', groupAdd: ['wheel', '2000', 'users', '100'] },
    want: { uid: 65534, gid: 65534, additionalGids: [65534, 10, 2000, 100] },
  },
  { name: 'unknown user', input: { user: 'bob' }, want: 'unable to find user bob: no matching entries in passwd file' },
  { name: 'name without passwd file', input: { user: 'alice', passwd: null }, want: 'unable to find user alice: no matching entries in passwd file' },
  { name: 'unknown group', input: { user: 'alice:staff' }, want: 'unable to find group staff: no matching entries in group file' },
  { name: 'unknown GroupAdd', input: { user: '', groupAdd: ['staff'] }, want: 'Unable to find group staff: no matching entries in group file' },
  { name: 'negative uid', input: { user: '-1' }, want: 'uids and gids must be in range 0-2147483647' },
  { name: 'uid too big', input: { user: '2147483648' }, want: 'uids and gids must be in range 0-2147483647' },
];

for (const c of cases) {
  test(`resolveUser: ${c.name}`, () => {
    const run = (): ResolvedUser => resolveUser(c.input.user, c.input.passwd === undefined ? PASSWD : c.input.passwd,
      c.input.group === undefined ? GROUP : c.input.group, c.input.groupAdd);
    if (typeof c.want === 'string') assert.throws(run, { message: c.want, kind: 'invalid-argument' });
    else assert.deepEqual(run(), c.want);
  });
}
