import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, symlink, link, rm, readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { pack } from 'tar-stream';
import { TarSplitRecorder, TarSplitWriter, cleanEntryName, cleanRelative, decodeSegments, encodeSegment, readSplit, replaySplit, splitSize, type SplitSegment } from './tar-split.ts';

const isRoot = process.getuid?.() === 0;
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function collect(r: NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

/** Records `tar`, extracts it with GNU tar into a dir, replays, and returns the replayed bytes. */
async function roundTrip(tar: Buffer, chunk = 7919): Promise<{ out: Buffer; segs: SplitSegment[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-split-'));
  try {
    const segs: SplitSegment[] = [];
    const rec = new TarSplitRecorder((s) => segs.push(s));
    for (let i = 0; i < tar.length; i += chunk) rec.push(tar.subarray(i, i + chunk));
    rec.finish();
    // Through the encoding too.
    const enc = Buffer.concat([Buffer.from('BTS1'), ...segs.map(encodeSegment)]);
    const back = decodeSegments(enc);
    execFileSync('tar', ['-x', '--numeric-owner', '-C', dir, '-f', '-'], { input: tar });
    assert.equal(splitSize(back), tar.length);
    const out = await collect(replaySplit(back, dir, sha(tar)));
    return { out, segs: back };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function gnuTar(format: string, build: (dir: string) => Promise<void>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-src-'));
  try {
    await build(dir);
    return execFileSync('tar', ['-c', `--format=${format}`, '--numeric-owner', '-C', dir, '.'], { maxBuffer: 1 << 28 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const tree = async (d: string): Promise<void> => {
  await mkdir(join(d, 'etc'));
  await writeFile(join(d, 'etc', 'hosts'), 'x\n');
  await writeFile(join(d, 'big'), randomBytes(300_001));
  await writeFile(join(d, 'empty'), '');
  await link(join(d, 'big'), join(d, 'big-hard'));
  await symlink('etc/hosts', join(d, 'sym'));
  const long = 'd'.repeat(90) + '/' + 'e'.repeat(90) + '/' + 'f'.repeat(120);
  await mkdir(join(d, long), { recursive: true });
  await writeFile(join(d, long, 'n'.repeat(150)), 'long name\n');
  await writeFile(join(d, 'etc', '.wh.gone'), '');
  await writeFile(join(d, '.wh..wh..opq'), '');
  await writeFile(join(d, 'ünïcode'), 'u');
  if (isRoot) execFileSync('mknod', [join(d, 'null'), 'c', '1', '3']);
  if (isRoot) execFileSync('mknod', [join(d, 'fifo'), 'p']);
};

for (const format of ['gnu', 'pax', 'posix', 'oldgnu']) {
  test(`tar-split: GNU tar --format=${format} replays byte for byte`, async () => {
    const tar = await gnuTar(format, tree);
    const { out, segs } = await roundTrip(tar);
    assert.equal(out.length, tar.length);
    assert.ok(out.equals(tar));
    // File content is not in the record: only names and sizes.
    const rawBytes = segs.reduce((n, s) => n + ('raw' in s ? s.raw.length : 0), 0);
    assert.ok(rawBytes < tar.length - 300_000, 'content must not be recorded');
  });
}

test('tar-split: tar-stream (Docker-like) archive with pax headers, trailing padding', async () => {
  const p = pack();
  p.entry({ name: 'a', type: 'directory', mode: 0o755 });
  p.entry({ name: 'a/file', mode: 0o644, mtime: new Date(1000) }, 'hello');
  p.entry({ name: 'a/' + 'x'.repeat(200), mode: 0o644, pax: { 'SCHILY.xattr.user.k': 'v' } }, 'long');
  p.entry({ name: 'a/hl', type: 'link', linkname: 'a/file' });
  p.finalize();
  const tar = Buffer.concat([await collect(p as unknown as NodeJS.ReadableStream), Buffer.alloc(4096)]);
  const { out } = await roundTrip(tar, 100);
  assert.ok(out.equals(tar));
});

test('tar-split: a changed file makes the replay fail instead of lying', async () => {
  const tar = await gnuTar('gnu', async (d) => { await writeFile(join(d, 'f'), 'aaaa'); });
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-split-'));
  try {
    const segs: SplitSegment[] = [];
    const rec = new TarSplitRecorder((s) => segs.push(s));
    rec.push(tar); rec.finish();
    execFileSync('tar', ['-x', '-C', dir, '-f', '-'], { input: tar });
    await writeFile(join(dir, 'f'), 'aaab');
    await assert.rejects(collect(replaySplit(segs, dir, sha(tar))), /could not be reproduced/);
    await rm(join(dir, 'f'));
    await assert.rejects(collect(replaySplit(segs, dir, sha(tar))), /missing from the layer/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tar-split writer: record file round trip', async () => {
  const tar = await gnuTar('pax', tree);
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-split-'));
  try {
    const w = new TarSplitWriter(join(dir, 'rec.gz'));
    w.push(tar);
    await w.finish();
    const segs = await readSplit(join(dir, 'rec.gz'));
    assert.equal(splitSize(segs), tar.length);
    assert.ok((await readFile(join(dir, 'rec.gz'))).length < 4096);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function tarOf(entries: { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    if (e.type === 'file' || e.type === undefined) p.entry({ name: e.name }, e.body ?? '');
    else p.entry({ name: e.name, type: e.type, linkname: e.linkname });
  }
  p.finalize();
  return collect(p as unknown as NodeJS.ReadableStream);
}

const bad: [string, Parameters<typeof tarOf>[0], RegExp][] = [
  ['.. escape', [{ name: '../evil' }], /invalid layer tar: entry "\.\.\/evil" climbs out of the layer with "\.\."; nothing was written/],
  ['nested .. escape', [{ name: 'a/../../evil' }], /climbs out of the layer/],
  ['absolute path', [{ name: '/etc/evil' }], /entry "\/etc\/evil" has an absolute path/],
  ['hard link out', [{ name: 'hl', type: 'link', linkname: '../../etc/shadow' }], /entry "hl" is a hard link to "\.\.\/\.\.\/etc\/shadow", outside the layer/],
  ['absolute hard link', [{ name: 'hl', type: 'link', linkname: '/etc/shadow' }], /is a hard link to "\/etc\/shadow"/],
  ['below a symlink pointing out', [{ name: 'lnk', type: 'symlink', linkname: '/etc' }, { name: 'lnk/passwd', body: 'x' }], /entry "lnk\/passwd" goes through the symlink "lnk" -> "\/etc", which points outside the layer/],
  ['below a relative symlink climbing out', [{ name: 'd', type: 'directory' }, { name: 'd/up', type: 'symlink', linkname: '../..' }, { name: 'd/up/x' }], /goes through the symlink "d\/up"/],
  // One pointing inside is refused too: a chain of them can lead out (b -> a/x, a -> /etc).
  ['below a symlink pointing inside', [{ name: 'usr/lib/', type: 'directory' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/x', body: '1' }], /"lib\/x" is below a symlink of the same layer \(lib\)/],
  ['a chain of symlinks', [{ name: 'a', type: 'symlink', linkname: '/etc' }, { name: 'b', type: 'symlink', linkname: 'a/x' }, { name: 'b/passwd', body: 'x' }], /below a symlink/],
];
for (const [label, entries, re] of bad) {
  test(`tar-split refuses: ${label}`, async () => {
    const tar = await tarOf(entries);
    // Whole, block by block, and in odd-sized chunks (headers split across them).
    for (const size of [tar.length, 512, 333]) {
      const rec = new TarSplitRecorder(() => undefined);
      assert.throws(() => { for (let i = 0; i < tar.length; i += size) rec.push(tar.subarray(i, i + size)); rec.finish(); }, re);
    }
  });
}

const long = 'd/'.repeat(80) + 'file';
const good: [string, Parameters<typeof tarOf>[0]][] = [
  ['plain files and dirs', [{ name: 'etc/', type: 'directory' }, { name: 'etc/passwd', body: 'root:x:0:0\n' }]],
  ['in-root ".." is fine', [{ name: 'a/../b', body: 'x' }]],
  ['absolute symlink target is fine on its own', [{ name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }]],
  ['hard link inside', [{ name: 'a', body: 'x' }, { name: 'b', type: 'link', linkname: 'a' }]],
  ['long name (PAX) inside', [{ name: long, body: 'x' }]],
  ['symlink replaced by a directory', [{ name: 'x', type: 'symlink', linkname: '/etc' }, { name: 'x', type: 'directory' }, { name: 'x/f', body: '1' }]],
];
for (const [label, entries] of good) {
  test(`tar-split accepts: ${label}`, async () => {
    const tar = await tarOf(entries);
    for (const size of [tar.length, 512, 333]) {
      const rec = new TarSplitRecorder(() => undefined);
      for (let i = 0; i < tar.length; i += size) rec.push(tar.subarray(i, i + size));
      rec.finish();
    }
  });
}

test('tar-split refuses a PAX path climbing out', async () => {
  const p = pack();
  p.entry({ name: 'innocent', pax: { path: '../../pax-escape' } }, 'x');
  p.finalize();
  const tar = await collect(p as unknown as NodeJS.ReadableStream);
  const rec = new TarSplitRecorder(() => undefined);
  assert.throws(() => { rec.push(tar); rec.finish(); }, /pax-escape" climbs out/);
});

test('tar-split: truncated and corrupt tars', async () => {
  const tar = await tarOf([{ name: 'f', body: 'x'.repeat(2000) }]);
  const r1 = new TarSplitRecorder(() => undefined);
  r1.push(tar.subarray(0, 1000));
  assert.throws(() => r1.finish(), /unexpected end/);
  const corrupt = Buffer.from(tar); corrupt[10] = 0x41;
  const r2 = new TarSplitRecorder(() => undefined);
  assert.throws(() => r2.push(corrupt), /checksum/);
});

test('cleanEntryName table', () => {
  const ok: [string, string][] = [['./a/b', 'a/b'], ['a//b/', 'a/b'], ['a/./b', 'a/b'], ['a/../b', 'b'], ['.', '']];
  for (const [i, o] of ok) assert.equal(cleanEntryName(i), o);
  for (const b of ['..', '../x', 'a/../../x', '/abs']) assert.throws(() => cleanEntryName(b));
  assert.equal(cleanRelative('a/./b//c/'), 'a/b/c');
  assert.equal(cleanRelative('a/../../b'), null);
});

test('TarSplitWriter.abort at once, and after some bytes: no file left, no descriptor left open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-split-abort-'));
  const fds = (): number => readdirSync('/proc/self/fd').length;
  const before = fds();
  try {
    // Aborted before its file's open (queued on the thread pool) ran: the open must not
    // create the file after the abort removed it.
    for (let i = 0; i < 20; i++) await new TarSplitWriter(join(dir, `now-${i}.gz`)).abort();
    const tar = await tarOf([{ name: 'f', body: 'x'.repeat(5000) }]);
    for (let i = 0; i < 5; i++) {
      const w = new TarSplitWriter(join(dir, `later-${i}.gz`));
      w.push(tar.subarray(0, 1024));
      await new Promise((r) => setTimeout(r, 5));
      await w.abort();
    }
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(fds(), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
