import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasOwnTmpfs } from './exec-root-tmpfs.ts';

const info = [
  '25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '90 25 0:55 / /run/berth rw,nosuid,nodev,relatime shared:40 - tmpfs berth-exec rw,mode=700',
  '91 25 0:56 / /run/other rw,relatime shared:41 - tmpfs tmpfs rw',
].join('\n');

test('hasOwnTmpfs: only berthd\'s tmpfs at exactly that mount point', () => {
  const cases: [string, boolean][] = [['/run/berth', true], ['/run/other', false], ['/run', false], ['/', false], ['/run/berth/x', false]];
  for (const [dir, want] of cases) assert.equal(hasOwnTmpfs(info, dir), want, dir);
});
