import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRemoteReference, isLoopbackHost } from './reference.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';
import { decodeRegistryAuth } from './auth-config.ts';
import { RegistryConfig } from './registry-config.ts';
import { humanSize, progressBar } from './progress.ts';

test('references: Hub names get docker.io and library/, registries with a port or a dot are hosts', () => {
  const cases: [string, { host: string; path: string; tag: string | null; digest: string | null; familiar: string }][] = [
    ['busybox', { host: 'registry-1.docker.io', path: 'library/busybox', tag: null, digest: null, familiar: 'busybox' }],
    ['busybox:1.36', { host: 'registry-1.docker.io', path: 'library/busybox', tag: '1.36', digest: null, familiar: 'busybox' }],
    ['docker.io/library/busybox:latest', { host: 'registry-1.docker.io', path: 'library/busybox', tag: 'latest', digest: null, familiar: 'busybox' }],
    ['foo/bar', { host: 'registry-1.docker.io', path: 'foo/bar', tag: null, digest: null, familiar: 'foo/bar' }],
    ['localhost:5000/a/b:v1', { host: 'localhost:5000', path: 'a/b', tag: 'v1', digest: null, familiar: 'localhost:5000/a/b' }],
    ['127.0.0.1:5000/x', { host: '127.0.0.1:5000', path: 'x', tag: null, digest: null, familiar: '127.0.0.1:5000/x' }],
    ['ghcr.io/o/r@sha256:' + 'a'.repeat(64), { host: 'ghcr.io', path: 'o/r', tag: null, digest: 'sha256:' + 'a'.repeat(64), familiar: 'ghcr.io/o/r' }],
    ['localhost/x', { host: 'localhost', path: 'x', tag: null, digest: null, familiar: 'localhost/x' }],
  ];
  for (const [input, want] of cases) {
    const r = parseRemoteReference(input);
    assert.deepEqual({ host: r.host, path: r.path, tag: r.tag, digest: r.digest, familiar: r.familiar }, want, input);
  }
  for (const bad of ['UPPER', 'a:b:c:d', 'x@sha256:short', '', 'a//b']) assert.throws(() => parseRemoteReference(bad), bad);
});

test('loopback hosts are insecure by default; insecure-registries by host or CIDR', () => {
  for (const h of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) assert.equal(isLoopbackHost(h), true, h);
  assert.equal(isLoopbackHost('registry.example.com'), false);
  const c = new RegistryConfig({ insecureRegistries: ['myreg:5000', '10.0.0.0/8', 'http://other.example'] });
  assert.equal(c.isInsecure('myreg:5000'), true);
  assert.equal(c.isInsecure('myreg:5001'), false);
  assert.equal(c.isInsecure('10.1.2.3:5000'), true);
  assert.equal(c.isInsecure('11.1.2.3:5000'), false);
  assert.equal(c.isInsecure('other.example'), true);
  assert.equal(c.isInsecure('localhost:1234'), true);
});

test('WWW-Authenticate challenges: Bearer with quoted params, Basic, several in one header', () => {
  const cases: [string, { scheme: string; params: Record<string, string> }[]][] = [
    ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }]],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['Bearer realm="https://x/t", error="insufficient_scope", scope="repository:a:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://x/t', error: 'insufficient_scope', scope: 'repository:a:pull,push' } }]],
    ['Basic realm="a", Bearer realm="b",service=s', [{ scheme: 'basic', params: { realm: 'a' } }, { scheme: 'bearer', params: { realm: 'b', service: 's' } }]],
    ['Bearer realm="with \\"escaped\\" quote"', [{ scheme: 'bearer', params: { realm: 'with "escaped" quote' } }]],
    ['', []],
  ];
  for (const [h, want] of cases) assert.deepEqual(parseWwwAuthenticate(h), want, h);
});

test('X-Registry-Auth: base64url JSON, padding optional, auth field split, garbage ignored', () => {
  const enc = (o: object, url = true): string => {
    const b = Buffer.from(JSON.stringify(o)).toString('base64');
    return url ? b.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : b;
  };
  assert.deepEqual(decodeRegistryAuth(enc({ username: 'u', password: 'p?>', serveraddress: 'r:5000' })), { username: 'u', password: 'p?>', serveraddress: 'r:5000' });
  assert.deepEqual(decodeRegistryAuth(enc({ auth: Buffer.from('a:b:c').toString('base64') }, false)), { auth: Buffer.from('a:b:c').toString('base64'), username: 'a', password: 'b:c' });
  assert.deepEqual(decodeRegistryAuth('e30='), {});
  assert.deepEqual(decodeRegistryAuth('!!!not base64'), {});
  assert.deepEqual(decodeRegistryAuth(undefined), {});
});

test('progress: go-units sizes and the bar docker draws', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1234), '1.23kB');
  assert.equal(humanSize(2_140_000), '2.14MB');
  assert.match(progressBar(50, 100), /^\[=+>\s+\]\s+50B\/100B$/);
});
