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
import { detectCompression, extractTar } from './tar-extract.ts';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../layer/index.ts';
import { spawnSync } from 'node:child_process';

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

test('detectCompression: the magic numbers DecompressStream knows', () => {
  const cases: [number[], string | null][] = [
    [[0x1f, 0x8b, 0x08, 0], 'gzip'], [[0x42, 0x5a, 0x68, 0x39], 'bzip2'], [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
    [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'], [[0x66, 0x69, 0x6c, 0x65], null], [[0x1f], null], [[], null],
  ];
  for (const [bytes, want] of cases) assert.equal(detectCompression(Buffer.from(bytes)), want, bytes.join(','));
});

test('PUT bodies: uncompressed, gzip, bzip2, xz and zstd tars all extract; a corrupt xz is an error', async () => {
  const tar = await tarOf([{ name: 'packed', body: 'same content' }]);
  const via = (tool: string): Buffer => {
    const r = spawnSync(tool, ['-c'], { input: tar });
    assert.equal(r.status, 0, String(r.stderr));
    return r.stdout;
  };
  const bodies: [string, Buffer][] = [['plain', tar], ['gzip', gzipSync(tar)], ['bzip2', via('bzip2')], ['xz', via('xz')], ['zstd', via('zstd')]];
  for (const [kind, body] of bodies) {
    await withRoot(async (root, _o, sr) => {
      await extractTar(sr, '/target', Readable.from([body.subarray(0, 3), body.subarray(3)]), { noOverwriteDirNonDir: false, owner: null });
      assert.equal(readFileSync(join(root, 'target/packed'), 'utf8'), 'same content', kind);
    });
  }
  await withRoot(async (_r, _o, sr) => {
    const bad = via('xz');
    bad.fill(0x41, 12, 40);
    await assert.rejects(extractTar(sr, '/target', Readable.from([bad]), { noOverwriteDirNonDir: false, owner: null }), /xz/);
  });
});

test('xattrs from PAX SCHILY.xattr records are set where the filesystem takes them', { skip: process.getuid?.() === 0 ? false : 'needs root (trusted xattrs)' }, async () => {
  const pack = tarStream.pack();
  pack.entry({ name: 'withattr', mode: 0o644, pax: { 'SCHILY.xattr.user.berth': 'hello', 'SCHILY.xattr.trusted.berth': 'root-only' } } as tarStream.Header, 'x');
  pack.entry({ name: 'dir', type: 'directory', mode: 0o755, pax: { 'SCHILY.xattr.user.d': 'on-a-dir' } } as tarStream.Header);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  await withRoot(async (root, _o, sr) => {
    await extractTar(sr, '/target', Readable.from([Buffer.concat(chunks)]), { noOverwriteDirNonDir: false, owner: null });
    const get = (p: string, n: string): string => spawnSync('getfattr', ['--only-values', '-n', n, p], { encoding: 'utf8' }).stdout;
    assert.equal(get(join(root, 'target/withattr'), 'user.berth'), 'hello');
    assert.equal(get(join(root, 'target/withattr'), 'trusted.berth'), 'root-only');
    assert.equal(get(join(root, 'target/dir'), 'user.d'), 'on-a-dir');
  });
  // A binary value (a file capability, as docker cp of a file with setcap sends it) byte for byte.
  const cap = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // v2, cap_net_raw+ep
  const tar = Buffer.concat([encodeHeader({ name: 'capped', type: '0', mode: 0o755, uid: 0, gid: 0, size: 2, mtime: 0, xattrs: [['security.capability', cap]] }),
    Buffer.from('#!'), Buffer.alloc(padding(2)), END_OF_ARCHIVE]);
  await withRoot(async (root, _o, sr) => {
    await extractTar(sr, '/target', Readable.from([tar]), { noOverwriteDirNonDir: false, owner: null });
    const hex = spawnSync('getfattr', ['--only-values', '-e', 'hex', '-n', 'security.capability', join(root, 'target/capped')]);
    assert.deepEqual(hex.stdout, cap);
  });
});
