// Table of tricky paths for the fd-anchored resolver (CVE-2018-15664 class): whatever the
// symlinks and `..` say, resolution stays inside the root; grafted mounts are honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScopedRoot, ScopeError } from './scoped-path.ts';

function fixture(): { root: string; outside: string; vol: string; cleanup: () => void } {
  const base = mkdtempSync('/tmp/berth-test-scoped-root-');
  const root = join(base, 'rootfs');
  const outside = join(base, 'outside');
  const vol = join(base, 'vol');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'run/app'), { recursive: true });
  mkdirSync(join(root, 'var'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  mkdirSync(vol, { recursive: true });
  writeFileSync(join(root, 'etc/shadow'), 'container-shadow');
  writeFileSync(join(outside, 'secret'), 'host-secret');
  writeFileSync(join(vol, 'in-volume'), 'v');
  symlinkSync('/run', join(root, 'var/run'));
  symlinkSync('/', join(root, 'evil'));
  symlinkSync('../../../../../../', join(root, 'dotdot'));
  symlinkSync(outside, join(root, 'hostabs'));           // absolute host path: means <root><outside>
  symlinkSync('../outside', join(root, 'sibling'));      // relative, would be the host sibling
  symlinkSync('loop2', join(root, 'loop1'));
  symlinkSync('loop1', join(root, 'loop2'));
  symlinkSync('/etc/shadow', join(root, 'shadowlink'));
  symlinkSync('/nonexistent/deeper/x', join(root, 'broken'));
  symlinkSync('/var/run', join(root, 'data/run-link'));
  return { root, outside, vol, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

test('ScopedRoot resolves tricky paths inside the root', async () => {
  const f = fixture();
  const sr = await ScopedRoot.open(f.root, [{ destination: '/var/run/app/vol', source: f.vol }]);
  try {
    const cases: { path: string; follow?: boolean; want: string; exists: boolean }[] = [
      { path: '/etc/shadow', want: '/etc/shadow', exists: true },
      { path: '../../../etc/shadow', want: '/etc/shadow', exists: true },
      { path: '/evil/etc/shadow', want: '/etc/shadow', exists: true },
      { path: '/evil/../../../etc/shadow', want: '/etc/shadow', exists: true },
      { path: '/dotdot/etc/shadow', want: '/etc/shadow', exists: true },
      { path: '/dotdot/outside', want: '/outside', exists: false },
      { path: '/sibling', follow: true, want: '/outside', exists: false },
      { path: '/hostabs', want: '/hostabs', exists: true },                   // last component not followed
      { path: '/shadowlink', want: '/shadowlink', exists: true },
      { path: '/shadowlink', follow: true, want: '/etc/shadow', exists: true },
      { path: '/var/run/app', want: '/run/app', exists: true },
      { path: '/data/run-link/app/', want: '/run/app', exists: true },
      { path: '/var/run/app/vol/in-volume', want: '/run/app/vol/in-volume', exists: true }, // grafted volume
      { path: '/missing', want: '/missing', exists: false },
      { path: '/', want: '/', exists: true },
      { path: '', want: '/', exists: true },
    ];
    for (const c of cases) {
      const r = await sr.resolve(c.path, { followLast: c.follow ?? false });
      try {
        assert.equal(r.path, c.want, c.path);
        assert.equal(r.node !== null, c.exists, `${c.path} exists`);
      } finally { await r.close(); }
    }
    // Nothing resolved ever names the host's file.
    for (const p of ['/hostabs/secret', '/sibling/secret', '/dotdot/outside/secret', '/evil/../outside/secret']) {
      await assert.rejects(sr.resolve(p), (e: unknown) => e instanceof ScopeError && e.code === 'ENOENT', p);
    }
    const s = await sr.resolve('/hostabs/secret', { lexicalMissing: true });
    assert.equal(s.path, f.outside + '/secret');
    assert.equal(s.node, null, 'host file is not reachable through an absolute symlink');
    await s.close();
    // Errors: loops, missing middle components, a file used as a directory.
    await assert.rejects(sr.resolve('/loop1/x'), (e: unknown) => e instanceof ScopeError && e.code === 'ELOOP');
    await assert.rejects(sr.resolve('/loop1', { followLast: true }), (e: unknown) => e instanceof ScopeError && e.code === 'ELOOP');
    await assert.rejects(sr.resolve('/nope/x'), (e: unknown) => e instanceof ScopeError && e.code === 'ENOENT');
    await assert.rejects(sr.resolve('/etc/shadow/x'), (e: unknown) => e instanceof ScopeError && e.code === 'ENOTDIR');
    // Broken links evaluate lexically for the stat's linkTarget (FollowSymlinkInScope).
    const b = await sr.resolve('/broken', { followLast: true, lexicalMissing: true });
    assert.equal(b.path, '/nonexistent/deeper/x');
    await b.close();
  } finally {
    await sr.close();
    f.cleanup();
  }
});
