import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idMapText, ownerMaps } from './owner-map.ts';

test('idMapText: one "+host +container" line per id of the range', () => {
  assert.equal(idMapText(100000, 3), '+100000 +0\n+100001 +1\n+100002 +2\n');
  assert.equal(idMapText(100000, 65536).split('\n').length, 65537);
});

test('ownerMaps: none without a remap (or a remap to 0)', () => {
  assert.equal(ownerMaps(null), null);
  assert.equal(ownerMaps({ uid: 0, gid: 0, uidSize: 65536, gidSize: 65536 }), null);
  const m = ownerMaps({ uid: 200000, gid: 300000, uidSize: 2, gidSize: 1 });
  assert.deepEqual(m, { owner: '+200000 +0\n+200001 +1\n', group: '+300000 +0\n' });
});
