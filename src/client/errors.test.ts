import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindOf } from '../lib/index.ts';
import { errorFromStatus, errorMessageOf, isDaemonError } from './errors.ts';

test('status codes map back to error kinds', () => {
  const cases: [number, string][] = [
    [304, 'not-modified'], [400, 'invalid-argument'], [401, 'unauthorized'], [403, 'forbidden'], [404, 'not-found'],
    [409, 'conflict'], [422, 'invalid-argument'], [500, 'internal'], [501, 'not-implemented'], [503, 'unavailable'],
    [502, 'internal'],
  ];
  for (const [status, kind] of cases) {
    const err = errorFromStatus(status, 'msg');
    assert.equal(kindOf(err), kind, String(status));
    assert.equal(err.message, 'msg');
    assert.ok(isDaemonError(err));
  }
  assert.ok(!isDaemonError(new Error('x')));
});

test('error messages come from the JSON body, the text, or the status', () => {
  assert.equal(errorMessageOf(404, 'application/json', '{"message":"No such container: x"}\n'), 'No such container: x');
  assert.equal(errorMessageOf(404, 'text/plain', 'page not found\n'), 'page not found');
  assert.equal(errorMessageOf(404, 'application/json', '{}'), 'Not Found');
  assert.equal(errorMessageOf(500, 'application/json', ''), 'Internal Server Error');
  assert.equal(errorMessageOf(409, undefined, ''), 'Conflict');
});
