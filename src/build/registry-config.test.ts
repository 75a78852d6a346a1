import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registryAuthFor, registryOf } from './registry-config.ts';

test('registryOf', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io'], ['library/busybox:1', 'docker.io'], ['user/app', 'docker.io'],
    ['localhost:5000/app', 'localhost:5000'], ['localhost/app', 'localhost'], ['quay.io/x/y', 'quay.io'],
    ['index.docker.io/library/busybox', 'docker.io'],
  ];
  for (const [ref, want] of cases) assert.equal(registryOf(ref), want, ref);
});

test('registryAuthFor picks the entry of the image registry', () => {
  const cfg = { 'https://index.docker.io/v1/': { username: 'hub' }, 'localhost:5000': { username: 'local' }, 'https://quay.io': { username: 'q' } };
  const header = Buffer.from(JSON.stringify(cfg)).toString('base64url');
  const user = (ref: string): string | undefined => {
    const v = registryAuthFor(header, ref);
    return v === undefined ? undefined : (JSON.parse(Buffer.from(v, 'base64url').toString()) as { username: string }).username;
  };
  assert.equal(user('busybox'), 'hub');
  assert.equal(user('localhost:5000/app:1'), 'local');
  assert.equal(user('quay.io/a/b'), 'q');
  assert.equal(user('ghcr.io/a/b'), undefined);
  assert.equal(registryAuthFor(undefined, 'busybox'), undefined);
  assert.equal(registryAuthFor('not base64 json', 'busybox'), undefined);
});
