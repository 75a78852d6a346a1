import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shiftOwners } from './id-shift.ts';

const root = process.getuid?.() === 0;

test('shiftOwners: every entry once (hard links too), symlinks themselves, setuid bits kept', { skip: root ? false : 'needs root (chown)' }, async () => {
  const dir = mkdtempSync('/tmp/berth-test-shift-');
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f'), 'x');
    linkSync(join(dir, 'sub', 'f'), join(dir, 'hard'));
    symlinkSync('/etc/passwd', join(dir, 'link'));
    writeFileSync(join(dir, 'suid'), '');
    chmodSync(join(dir, 'suid'), 0o4755);
    await shiftOwners(dir, { uid: 100000, gid: 200000 });
    for (const p of [dir, join(dir, 'sub'), join(dir, 'sub', 'f'), join(dir, 'suid')]) {
      const st = statSync(p);
      assert.deepEqual([st.uid, st.gid], [100000, 200000], p);
    }
    assert.equal(lstatSync(join(dir, 'link')).uid, 100000);
    assert.equal(statSync('/etc/passwd').uid, 0, 'the symlink target is untouched');
    assert.equal(statSync(join(dir, 'suid')).mode & 0o7777, 0o4755);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
