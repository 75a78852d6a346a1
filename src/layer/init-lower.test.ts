import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInitLower, etcInLayers, initVariant, type EtcInImage } from './init-lower.ts';

test('initVariant: the image\'s /etc owner and mode name the variant; anything but a directory refuses', () => {
  const cases: [EtcInImage, string | null][] = [
    [{ kind: 'dir', uid: 0, gid: 0, mode: 0o40755 }, '0-0-755'],
    [{ kind: 'dir', uid: 100000, gid: 100000, mode: 0o40750 }, '100000-100000-750'],
    [{ kind: 'absent' }, '0-0-755'],
    [{ kind: 'other' }, null],
  ];
  for (const [etc, want] of cases) assert.equal(initVariant(etc), want, JSON.stringify(etc));
});

test('etcInLayers: the topmost layer that names /etc decides (dir, whiteout, symlink, none)', async () => {
  const root = mkdtempSync('/var/tmp/berth-test-initlower-');
  try {
    const [top, mid, base] = ['top', 'mid', 'base'].map((n) => { const p = join(root, n); mkdirSync(p); return p; });
    mkdirSync(join(base!, 'etc'), { mode: 0o750 });
    assert.deepEqual(await etcInLayers([top!, mid!, base!]), { kind: 'dir', uid: 0, gid: 0, mode: statSync(join(base!, 'etc')).mode });
    symlinkSync('usr/etc', join(mid!, 'etc'));
    assert.deepEqual(await etcInLayers([top!, mid!, base!]), { kind: 'other' });
    execFileSync('mknod', [join(top!, 'etc'), 'c', '0', '0']);
    assert.deepEqual(await etcInLayers([top!, mid!, base!]), { kind: 'absent' });
    assert.deepEqual(await etcInLayers([]), { kind: 'absent' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('ensureInitLower: makes /etc with the variant\'s owner and mode and the three empty files, once', async () => {
  const root = mkdtempSync('/var/tmp/berth-test-initlower-');
  try {
    const [a, b] = await Promise.all([ensureInitLower(root, '12-34-750'), ensureInitLower(root, '12-34-750')]);
    assert.equal(a, b);
    const st = statSync(join(a, 'etc'));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [12, 34, 0o750]);
    assert.deepEqual(readdirSync(join(a, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
    assert.deepEqual(readdirSync(root), ['12-34-750'], 'no temp tree left');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
