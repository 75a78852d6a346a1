import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCgroupPermissions, parseDeviceCgroupRule } from './device-rules.ts';

test('device cgroup rules parse as docker does', () => {
  assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.deepEqual(parseDeviceCgroupRule('b *:* m'), { allow: true, type: 'b', access: 'm' });
  assert.deepEqual(parseDeviceCgroupRule('a 7:* r'), { allow: true, type: 'a', major: 7, access: 'r' });
  for (const bad of ['c 1:3 rwx', 'x 1:3 r', 'c 1 r', '', 'c 1:3  r']) {
    assert.throws(() => parseDeviceCgroupRule(bad), { message: `invalid device cgroup format '${bad}'` });
  }
});

test('device permissions default to rwm and refuse anything else', () => {
  assert.equal(deviceCgroupPermissions(undefined, '/dev/x'), 'rwm');
  assert.equal(deviceCgroupPermissions('', '/dev/x'), 'rwm');
  assert.equal(deviceCgroupPermissions('r', '/dev/x'), 'r');
  assert.throws(() => deviceCgroupPermissions('rx', '/dev/x'), /invalid device mode: rx/);
});
