import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, compareVersions } from './router.ts';
import type { Exchange } from './exchange.ts';

function fakeExchange(method: string, path: string): Exchange {
  return { method, path, params: {}, version: '' } as unknown as Exchange;
}

const router = new Router();
const hit = (name: string) => () => { throw new Error(name); };
router.add([
  { method: 'GET', path: '/containers/{id}/json', handler: hit('inspect') },
  { method: 'GET', path: '/images/{name:.*}/json', handler: hit('image') },
  { method: 'GET', path: '/_ping', handler: hit('ping') },
]);

test('routes with and without a version prefix', () => {
  const x = fakeExchange('GET', '/v1.47/containers/abc/json');
  assert.throws(() => router.resolve(x)(x), /inspect/);
  assert.deepEqual(x.params, { id: 'abc' });
  assert.equal(x.version, '1.47');
  const y = fakeExchange('GET', '/containers/abc/json');
  router.resolve(y);
  assert.equal(y.version, '1.50');
});

test('image names may contain slashes', () => {
  const x = fakeExchange('GET', '/v1.50/images/localhost:5000/a/b:tag/json');
  router.resolve(x);
  assert.deepEqual(x.params, { name: 'localhost:5000/a/b:tag' });
});

test('HEAD is served by GET routes', () => {
  const x = fakeExchange('HEAD', '/_ping');
  assert.throws(() => router.resolve(x)(x), /ping/);
});

test('version gate uses Docker\'s wording', () => {
  assert.throws(() => router.resolve(fakeExchange('GET', '/v1.12/_ping')), /client version 1.12 is too old. Minimum supported API version is 1.24/);
  assert.throws(() => router.resolve(fakeExchange('GET', '/v1.99/_ping')), /client version 1.99 is too new. Maximum supported API version is 1.50/);
});

test('unknown paths are 404 page not found', () => {
  assert.throws(() => router.resolve(fakeExchange('GET', '/nope')), /page not found/);
});

test('compareVersions', () => {
  assert.ok(compareVersions('1.9', '1.24') < 0);
  assert.ok(compareVersions('1.50', '1.24') > 0);
  assert.equal(compareVersions('1.41', '1.41'), 0);
});
