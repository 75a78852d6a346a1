import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountOptionsAt } from './readonly-binary.ts';

const info = [
  '25 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '90 25 0:55 / /run/berth rw,nosuid,nodev,relatime shared:40 - tmpfs berth-exec rw,mode=700',
  '91 90 254:0 /usr/bin/crun /run/berth/bin/crun rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '92 90 254:0 /usr/bin/crun /run/berth/bin/crun ro,relatime shared:1 - ext4 /dev/vda rw,discard',
].join('\n');

test('mountOptionsAt: the options of the last mount at exactly that point', () => {
  const cases: [string, string[] | null][] = [
    ['/run/berth/bin/crun', ['ro', 'relatime']],
    ['/run/berth', ['rw', 'nosuid', 'nodev', 'relatime']],
    ['/run/berth/bin', null],
    ['/usr/bin/crun', null],
  ];
  for (const [path, want] of cases) assert.deepEqual(mountOptionsAt(info, path), want, path);
});
