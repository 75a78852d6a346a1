import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIdOf, chainIdsOf } from './chain-id.ts';

const d1 = 'sha256:' + 'a'.repeat(64);
const d2 = 'sha256:' + 'b'.repeat(64);

test('chain id of a base layer is its diff id', () => {
  assert.equal(chainIdOf(null, d1), d1);
});

test('chain id of a child hashes parent chain and diff id with a space', () => {
  const want = 'sha256:' + createHash('sha256').update(`${d1} ${d2}`).digest('hex');
  assert.equal(chainIdOf(d1, d2), want);
  assert.deepEqual(chainIdsOf([d1, d2]), [d1, want]);
});
