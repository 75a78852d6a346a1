import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError, InternalError, kindOf } from './errors.ts';

test('kindOf follows the cause chain', () => {
  const inner = new NotFoundError('no such thing');
  const outer = new Error('wrapped', { cause: inner });
  assert.equal(kindOf(outer), 'not-found');
  assert.equal(kindOf(new ConflictError('x')), 'conflict');
  assert.equal(kindOf(new Error('plain')), 'internal');
  assert.equal(kindOf('a string'), 'internal');
  assert.equal(new InternalError('x').name, 'InternalError');
});
