import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInRoot } from './scoped-path.ts';

test('symlinks in a rootfs resolve inside it, never outside', async () => {
  const root = mkdtempSync('/tmp/berth-test-scoped-');
  try {
    mkdirSync(join(root, 'run/app'), { recursive: true });
    mkdirSync(join(root, 'var'), { recursive: true });
    symlinkSync('/run', join(root, 'var/run'));
    symlinkSync('../../../../etc', join(root, 'var/escape'));
    symlinkSync('/', join(root, 'rootlink'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    const cases: [string, string][] = [
      ['/var/run/app', join(root, 'run/app')],
      ['/var/escape', join(root, 'etc')],
      ['/rootlink/../..', root],
      ['/missing/dir', join(root, 'missing/dir')],
      ['/var/./run/../run/app/', join(root, 'run/app')],
    ];
    for (const [p, want] of cases) assert.equal(await resolveInRoot(root, p), want, p);
    await assert.rejects(resolveInRoot(root, '/loop1/x'), /too many levels of symbolic links/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
