import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnoreMatcher, parseDockerignore } from '../lib/index.ts';
import { matchElement, matchSources, hashSources, copySources, parseChmod, resolveOwner } from './copy.ts';
import { resolveInRoot, mkdirInRoot } from './scoped-path.ts';

test('matchElement: Go filepath.Match', () => {
  const cases: [string, string, boolean][] = [
    ['*.txt', 'a.txt', true], ['*.txt', 'a.txt.bak', false], ['?.c', 'x.c', true], ['?.c', 'xy.c', false],
    ['[ab]*', 'beta', true], ['[^ab]*', 'beta', false], ['\\*', '*', true], ['a*b', 'a/b', false],
  ];
  for (const [p, n, want] of cases) assert.equal(matchElement(p, n), want, `${p} ${n}`);
});

test('parseChmod', () => {
  assert.equal(parseChmod('755'), 0o755);
  assert.equal(parseChmod('0644'), 0o644);
  assert.throws(() => parseChmod('u+x'), /invalid chmod/);
  assert.throws(() => parseChmod('999'), /invalid chmod/);
});

test('sources, hashes and copies, with symlinks kept inside the rootfs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-copy-'));
  try {
    const ctx = join(dir, 'ctx');
    const root = join(dir, 'rootfs');
    await mkdir(join(ctx, 'src', 'sub'), { recursive: true });
    await writeFile(join(ctx, 'a.txt'), 'a');
    await writeFile(join(ctx, 'b.txt'), 'b');
    await writeFile(join(ctx, 'src', 'main.c'), 'int main;');
    await writeFile(join(ctx, 'src', 'x.log'), 'log');
    await writeFile(join(ctx, 'src', 'sub', 'deep'), 'd');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n');
    await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nstaff:x:50:\n');
    // An absolute symlink in the image must resolve inside the rootfs, never on the host.
    await symlink('/opt/real', join(root, 'link'));
    await symlink('../../../../../../etc', join(root, 'escape'));

    assert.equal(await resolveInRoot(root, '/link/x'), join(root, 'opt/real/x'));
    assert.equal(await resolveInRoot(root, '/escape/passwd'), join(root, 'etc/passwd'));
    assert.equal(await mkdirInRoot(root, '/link/deeper'), join(root, 'opt/real/deeper'));

    const ignore = new IgnoreMatcher(parseDockerignore('*.log\nsrc/*.log'));
    const txt = await matchSources(ctx, '*.txt', ignore);
    assert.deepEqual(txt.map((e) => e.rel), ['a.txt', 'b.txt']);
    assert.deepEqual(await matchSources(ctx, 'nope', ignore), []);
    assert.deepEqual(await matchSources(ctx, 'src/x.log', ignore), []);
    const srcDir = await matchSources(ctx, 'src', ignore);
    const h1 = await hashSources(srcDir, ignore);
    await writeFile(join(ctx, 'src', 'x.log'), 'changed but ignored');
    assert.equal(await hashSources(srcDir, ignore), h1);
    await writeFile(join(ctx, 'src', 'main.c'), 'int main2;');
    assert.notEqual(await hashSources(srcDir, ignore), h1);

    const owner = await resolveOwner(root, 'app:staff');
    assert.deepEqual(owner, { uid: 1000, gid: 50 });
    assert.deepEqual(await resolveOwner(root, '7'), { uid: 7, gid: 7 });
    await assert.rejects(resolveOwner(root, 'nobody-here'), /no such user: nobody-here/);

    const base = { rootfs: root, owner: { uid: 0, gid: 0 }, chmod: null, ignore, extractArchives: false, tmpDir: dir };
    await copySources(txt, { ...base, dest: '/link/files', destIsDir: true });
    assert.equal(await readFile(join(root, 'opt/real/files/a.txt'), 'utf8'), 'a');
    await copySources(srcDir, { ...base, dest: '/app', destIsDir: false });
    assert.equal(await readFile(join(root, 'app/main.c'), 'utf8'), 'int main2;');
    assert.equal(await readFile(join(root, 'app/sub/deep'), 'utf8'), 'd');
    await assert.rejects(readFile(join(root, 'app/x.log')));
    // single file to a new name
    await copySources([txt[0]!], { ...base, dest: '/renamed.txt', destIsDir: false });
    assert.equal(await readFile(join(root, 'renamed.txt'), 'utf8'), 'a');
    // a context symlink is copied as a symlink
    await symlink('a.txt', join(ctx, 'sl'));
    const all = await matchSources(ctx, '.', null);
    await copySources(all, { ...base, ignore: null, dest: '/all', destIsDir: true });
    assert.equal(await readlink(join(root, 'all/sl')), 'a.txt');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('extraction digests: hashSources uses them while size and mtime hold, reads the file otherwise', async () => {
  const { pack } = await import('tar-stream');
  const { Readable } = await import('node:stream');
  const { extractTar } = await import('./context/extract.ts');
  const { createHash } = await import('node:crypto');
  const { utimes } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-digests-'));
  try {
    const big = Buffer.alloc(300 * 1024, 7); // larger than the one-write limit: streamed
    const p = pack();
    p.entry({ name: 'small.txt', mode: 0o644, mtime: new Date(1_700_000_000_000) }, 'small\n');
    p.entry({ name: 'd/big.bin', mode: 0o600, mtime: new Date(1_700_000_000_000) }, big);
    p.finalize();
    const digests = new Map();
    await extractTar(Readable.from(p as unknown as AsyncIterable<Buffer>), join(dir, 'ctx'), { digests });
    const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
    assert.equal(digests.get(join(dir, 'ctx/small.txt'))?.sha256, sha('small\n'));
    assert.equal(digests.get(join(dir, 'ctx/d/big.bin'))?.sha256, sha(big));
    assert.deepEqual(await readFile(join(dir, 'ctx/d/big.bin')), big);
    const entries = [{ hostPath: join(dir, 'ctx'), rel: '', isDir: true }];
    const real = await hashSources(entries, null);
    assert.equal(await hashSources(entries, null, digests), real);
    // A recorded digest is trusted (the file is not read again) ...
    digests.get(join(dir, 'ctx/small.txt')).sha256 = 'f'.repeat(64);
    assert.notEqual(await hashSources(entries, null, digests), real);
    // ... until the file's mtime no longer matches the record.
    await utimes(join(dir, 'ctx/small.txt'), new Date(), new Date());
    assert.equal(await hashSources(entries, null, digests), real);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('matchSources: the synchronous local path resolution gives what the asynchronous one does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-match-'));
  try {
    await mkdir(join(dir, 'a/b'), { recursive: true });
    await writeFile(join(dir, 'a/b/f'), 'x');
    await symlink('/a/b', join(dir, 'link'));
    await symlink('../../etc', join(dir, 'up'));
    for (const src of ['a/b/f', 'link/f', 'up', 'nope', 'a/b/f/x', '.', 'a']) {
      const slow = await matchSources(dir, src, null, false);
      const fast = await matchSources(dir, src, null, true);
      assert.deepEqual(fast.map((e) => [e.hostPath, e.rel, e.isDir]), slow.map((e) => [e.hostPath, e.rel, e.isDir]), src);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
