import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHtpasswd, parseBasicAuth, HtpasswdAuth } from './htpasswd.ts';
import { paginate, validRepoName, splitAddr } from './server.ts';

test('htpasswd: bcrypt lines only, comments skipped; $2y$ hashes verify', async () => {
  const users = parseHtpasswd('# comment\nalice:$2y$04$yB51FbLxfUEb1GrtXEVihuhFcVZRmchuf6yBcKAgbHTgjtsZP4Tjm\nbob:{SHA}abc\n\ncarol:plain\n');
  assert.deepEqual([...users.keys()], ['alice']);
  const auth = new HtpasswdAuth(users);
  assert.equal(await auth.verify('alice', 'secret'), true);
  assert.equal(await auth.verify('alice', 'secret'), true);
  assert.equal(await auth.verify('alice', 'wrong'), false);
  assert.equal(await auth.verify('bob', 'x'), false);
});

test('Basic authorization header parsing', () => {
  assert.deepEqual(parseBasicAuth(`Basic ${Buffer.from('u:p:q').toString('base64')}`), { user: 'u', password: 'p:q' });
  assert.equal(parseBasicAuth('Bearer abc'), null);
  assert.equal(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
  assert.equal(parseBasicAuth(undefined), null);
});

test('pagination: n and last as the spec defines them', () => {
  const all = ['a', 'b', 'c', 'd', 'e'];
  const u = (q: string): URL => new URL(`http://r/v2/x/tags/list${q}`);
  assert.deepEqual(paginate(all, u('')), { items: all, next: null });
  assert.deepEqual(paginate(all, u('?n=2')), { items: ['a', 'b'], next: 'n=2&last=b' });
  assert.deepEqual(paginate(all, u('?n=2&last=b')), { items: ['c', 'd'], next: 'n=2&last=d' });
  assert.deepEqual(paginate(all, u('?n=2&last=d')), { items: ['e'], next: null });
  assert.deepEqual(paginate(all, u('?last=c')), { items: ['d', 'e'], next: null });
  assert.deepEqual(paginate(all, u('?n=0')), { items: [], next: null });
  assert.throws(() => paginate(all, u('?n=-1')));
});

test('repository names and listen addresses', () => {
  for (const ok of ['a', 'a/b', 'a-b/c.d/e__f', 'library/busybox']) assert.equal(validRepoName(ok), true, ok);
  for (const bad of ['A', 'a/', '/a', 'a//b', 'a/-b', 'a..b', '_a']) assert.equal(validRepoName(bad), false, bad);
  assert.deepEqual(splitAddr('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(splitAddr(':5000'), { host: '0.0.0.0', port: 5000 });
  assert.deepEqual(splitAddr('[::1]:5000'), { host: '::1', port: 5000 });
  assert.throws(() => splitAddr('nope'));
});

test('tokens: HS256 round trip, scopes, expiry, tampering', async () => {
  const { TokenIssuer, parseScope, allows } = await import('./token.ts');
  const t = new TokenIssuer('svc', Buffer.alloc(32, 1), 60);
  const now = Date.parse('2026-01-01T00:00:00Z');
  const { token } = t.issue('alice', [{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }], now);
  const acc = t.verify(token, now + 1000);
  assert.ok(acc);
  assert.equal(allows(acc, 'a/b', 'push'), true);
  assert.equal(allows(acc, 'a/b', 'delete'), false);
  assert.equal(allows(acc, 'a/c', 'pull'), false);
  assert.equal(t.verify(token, now + 61_000), null);
  assert.equal(t.verify(token.slice(0, -2) + 'xx', now), null);
  assert.equal(new TokenIssuer('other', Buffer.alloc(32, 1)).verify(token, now), null);
  assert.deepEqual(parseScope('repository:a/b:pull,push'), { type: 'repository', name: 'a/b', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('repository:localhost:5000/x:pull')?.name, 'localhost:5000/x');
  assert.equal(parseScope('garbage'), null);
});
