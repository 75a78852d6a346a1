// Table of tricky archives for PUT /containers/{id}/archive: what must be refused and what
// must land where, with the target inside a root that has planted symlinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { ScopedRoot } from './scoped-path.ts';
import { extractTar } from './tar-extract.ts';

type Entry = { name: string; type?: 'file' | 'symlink' | 'directory' | 'link' | 'fifo' | 'character-device'; body?: string; linkname?: string; mode?: number; devmajor?: number; devminor?: number };

function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const h = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: 0, gid: 0, ...(e.linkname ? { linkname: e.linkname } : {}),
      ...(e.devmajor !== undefined ? { devmajor: e.devmajor, devminor: e.devminor ?? 0 } : {}) };
    if (type === 'file') pack.entry(h, e.body ?? ''); else pack.entry(h);
  }
  pack.finalize();
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => { chunks.push(c as Buffer); }); pack.on('end', () => res(Buffer.concat(chunks))); pack.on('error', rej);
  });
}

async function withRoot(fn: (root: string, outside: string, sr: ScopedRoot) => Promise<void>): Promise<void> {
  const base = mkdtempSync('/tmp/berth-test-extract-');
  const root = join(base, 'rootfs');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'target/existing-dir'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'target/existing-file'), 'old');
  symlinkSync('/', join(root, 'target/evil'));               // planted by the container
  symlinkSync('../../../../', join(root, 'target/dotdot'));
  symlinkSync(outside, join(root, 'target/hostabs'));
  const sr = await ScopedRoot.open(root);
  try { await fn(root, outside, sr); } finally { await sr.close(); rmSync(base, { recursive: true, force: true }); }
}

const put = async (sr: ScopedRoot, entries: Entry[], o = { noOverwriteDirNonDir: false, owner: null }) =>
  extractTar(sr, '/target', Readable.from([await tarOf(entries)]), o);

test('archives that try to leave the target are refused and write nothing outside', async () => {
  await withRoot(async (root, outside, sr) => {
    const refused: [string, Entry[], RegExp][] = [
      ['dot-dot entry', [{ name: '../escape', body: 'x' }], /"\.\.\/escape" is outside of "\/target"/],
      ['deep dot-dot', [{ name: 'a/../../escape', body: 'x' }], /is outside of/],
      ['absolute entry', [{ name: '/etc/escape', body: 'x' }], /"\/etc\/escape" is outside of "\/target"/],
      ['through a planted absolute symlink', [{ name: 'evil/etc/escape', body: 'x' }], /is outside of/],
      ['through a planted dot-dot symlink', [{ name: 'dotdot/escape', body: 'x' }], /is outside of/],
      ['through a host-path symlink', [{ name: 'hostabs/escape', body: 'x' }], /is outside of|cannot extract "hostabs\/escape": no such file or directory/],
      ['a symlink made by the tar, then used', [{ name: 'l', type: 'symlink', linkname: '/' }, { name: 'l/escape', body: 'x' }], /is outside of/],
      ['a relative symlink out', [{ name: 'up', type: 'symlink', linkname: '../../x' }], /invalid symlink "\/target\/up" -> "\.\.\/\.\.\/x"/],
      ['a hard link out', [{ name: 'hl', type: 'link', linkname: '../etc/passwd' }], /invalid hardlink/],
      ['an absolute hard link', [{ name: 'hl', type: 'link', linkname: '/etc/passwd' }], /invalid hardlink/],
    ];
    for (const [what, entries, re] of refused) await assert.rejects(put(sr, entries), re, what);
    assert.ok(!existsSync(join(root, 'escape')) && !existsSync(join(root, 'etc/escape')) && !existsSync(join(outside, 'escape')));
    assert.ok(!existsSync(join(root, 'target/hostabs/escape').replace('/target/hostabs', '/outside')));
  });
});

test('ordinary archives land inside the target with modes, links and replacements', async () => {
  await withRoot(async (root, _outside, sr) => {
    await put(sr, [
      { name: './' , type: 'directory' },
      { name: 'new/', type: 'directory', mode: 0o700 },
      { name: 'new/deep/file', body: 'hello', mode: 0o640 },   // parent made on the way
      { name: 'rel', type: 'symlink', linkname: 'new/deep/file' },
      { name: 'abs', type: 'symlink', linkname: '/etc/passwd' }, // absolute: read inside the container
      { name: 'hard', type: 'link', linkname: 'new/deep/file' },
      { name: 'existing-file', body: 'replaced' },
      { name: 'pipe', type: 'fifo', mode: 0o600 },
      { name: 'null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
    ]);
    const t = join(root, 'target');
    assert.equal(readFileSync(join(t, 'new/deep/file'), 'utf8'), 'hello');
    assert.equal(lstatSync(join(t, 'new/deep/file')).mode & 0o7777, 0o640);
    assert.equal(lstatSync(join(t, 'new')).mode & 0o7777, 0o700);
    assert.equal(readlinkSync(join(t, 'rel')), 'new/deep/file');
    assert.equal(readlinkSync(join(t, 'abs')), '/etc/passwd');
    assert.equal(lstatSync(join(t, 'hard')).ino, lstatSync(join(t, 'new/deep/file')).ino);
    assert.equal(readFileSync(join(t, 'existing-file'), 'utf8'), 'replaced');
    assert.ok(lstatSync(join(t, 'pipe')).isFIFO());
    assert.ok(lstatSync(join(t, 'null')).isCharacterDevice());
    assert.equal(lstatSync(join(t, 'null')).rdev, 259, 'makedev(1, 3)');
    // gzip input is accepted, as Docker's DecompressStream does.
    const gz = gzipSync(await tarOf([{ name: 'zipped', body: 'z' }]));
    await extractTar(sr, '/target', Readable.from([gz]), { noOverwriteDirNonDir: false, owner: { uid: 1234, gid: 5678 } });
    assert.equal(readFileSync(join(t, 'zipped'), 'utf8'), 'z');
    assert.equal(lstatSync(join(t, 'zipped')).uid, 1234);
  });
});

test('noOverwriteDirNonDir keeps directories and files from replacing each other', async () => {
  await withRoot(async (_root, _outside, sr) => {
    const strict = { noOverwriteDirNonDir: true, owner: null };
    await assert.rejects(put(sr, [{ name: 'existing-dir', body: 'x' }], strict), /cannot overwrite directory "\/target\/existing-dir" with non-directory "\/target"/);
    await assert.rejects(put(sr, [{ name: 'existing-file', type: 'directory' }], strict), /cannot overwrite non-directory "\/target\/existing-file" with directory "\/target"/);
    await put(sr, [{ name: 'existing-dir', body: 'x' }]); // allowed without the flag: the dir is replaced
  });
});

test('under --userns-remap owners are written shifted into the host range', async () => {
  await withRoot(async (root, _outside, sr) => {
    await extractTar(sr, '/target', Readable.from([await tarOf([{ name: 'made/f', body: 'x' }])]),
      { noOverwriteDirNonDir: false, owner: null, shift: { uid: 100000, gid: 200000, uidSize: 65536, gidSize: 65536 } });
    assert.equal(lstatSync(join(root, 'target/made/f')).uid, 100000);
    assert.equal(lstatSync(join(root, 'target/made/f')).gid, 200000);
    assert.equal(lstatSync(join(root, 'target/made')).uid, 100000, 'parents made on the way too');
  });
});
