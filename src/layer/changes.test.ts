// docker diff's rules on a hand-made overlay: whiteouts are D, new paths A, paths a lower
// layer has C, parents of changes C once and before their children, runtime mount points
// left out. Whiteouts are char devices 0:0, so the test needs root (mknod).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { overlayChanges } from './changes.ts';

const root = process.getuid?.() === 0;

test('overlay upper dir -> Docker change list', { skip: root ? false : 'needs root for mknod (whiteouts)' }, async () => {
  const base = mkdtempSync('/tmp/berth-test-changes-');
  try {
    const lower = join(base, 'lower');
    const upper = join(base, 'upper');
    for (const p of ['bin', 'etc', 'tmp', 'usr/lib']) mkdirSync(join(lower, p), { recursive: true });
    writeFileSync(join(lower, 'bin/ls'), 'ls');
    writeFileSync(join(lower, 'etc/passwd'), 'root');
    for (const p of ['bin', 'etc', 'tmp', 'newdir/sub', 'usr/lib']) mkdirSync(join(upper, p), { recursive: true });
    execFileSync('mknod', [join(upper, 'bin/ls'), 'c', '0', '0']);        // rm /bin/ls
    writeFileSync(join(upper, 'etc/passwd'), 'root\nx');                   // modified in place
    writeFileSync(join(upper, 'etc/hosts'), '');                           // runtime mount point
    writeFileSync(join(upper, 'tmp/hi'), 'hi');
    utimesSync(join(upper, 'usr/lib'), new Date(0), new Date(0));          // copied up, nothing inside changed
    const got = (await overlayChanges(upper, [lower])).map((c) => `${'CAD'[c.Kind]} ${c.Path}`);
    assert.deepEqual(got, ['C /bin', 'D /bin/ls', 'C /etc', 'C /etc/passwd', 'A /newdir', 'A /newdir/sub', 'C /tmp', 'A /tmp/hi']);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
