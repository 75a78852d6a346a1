import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, readdir, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { extractTar, cleanMemberName, compressionOf, looksLikeTar } from './extract.ts';

async function tarOf(entries: { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link' || e.type === 'directory') p.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '' });
    else p.entry({ name: e.name }, e.body ?? '');
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

test('cleanMemberName', () => {
  const cases: [string, string | null][] = [
    ['a/b', 'a/b'], ['./a/', 'a'], ['/abs/x', 'abs/x'], ['a/../b', 'b'], ['../x', null], ['a/../../x', null], ['.', ''],
  ];
  for (const [n, want] of cases) assert.equal(cleanMemberName(n), want, n);
});

test('compression and tar detection', () => {
  assert.equal(compressionOf(gzipSync(Buffer.from('x'))), 'gzip');
  assert.equal(compressionOf(Buffer.from('BZh91AY')), 'bzip2');
  assert.equal(compressionOf(Buffer.from('plain')), null);
  assert.equal(looksLikeTar(Buffer.alloc(512)), false);
});

test('extracts plain and gzip tars; refuses escapes and writes through its own symlinks', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-extract-'));
  try {
    const good = await tarOf([{ name: 'd', type: 'directory' }, { name: 'd/f', body: 'hello' }, { name: 'l', type: 'symlink', linkname: 'd/f' }, { name: 'h', type: 'link', linkname: 'd/f' }]);
    await extractTar(Readable.from([good]), join(dir, 'plain'));
    assert.equal(await readFile(join(dir, 'plain/d/f'), 'utf8'), 'hello');
    assert.equal(await readFile(join(dir, 'plain/h'), 'utf8'), 'hello');
    assert.ok((await lstat(join(dir, 'plain/l'))).isSymbolicLink());
    await extractTar(Readable.from([gzipSync(good)]), join(dir, 'gz'));
    assert.equal(await readFile(join(dir, 'gz/d/f'), 'utf8'), 'hello');

    const escape = await tarOf([{ name: '../evil', body: 'x' }]);
    await assert.rejects(extractTar(Readable.from([escape]), join(dir, 'e1')), /escapes the destination/);
    // a symlink to the outside, then a file "through" it: the file is skipped
    const through = await tarOf([{ name: 'out', type: 'symlink', linkname: dir }, { name: 'out/planted', body: 'x' }]);
    await extractTar(Readable.from([through]), join(dir, 'e2'));
    assert.deepEqual((await readdir(dir)).includes('planted'), false);
    await assert.rejects(extractTar(Readable.from([Buffer.from('not a tar at all'.repeat(64))]), join(dir, 'e3')));
    await assert.rejects(extractTar(Readable.from([good]), join(dir, 'e4'), { maxBytes: 100 }), /larger than/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('keep: named small files kept as they stream by, seen names, symlinks noted; writes overlap but land', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-keep-'));
  try {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `f/${i}`, body: `n${i}` }));
    const tar = await tarOf([
      { name: 'Dockerfile', body: 'old' }, ...many, { name: './Dockerfile', body: 'FROM a\n' },
      { name: 'sub', type: 'directory' }, { name: 'sub/.dockerignore', type: 'directory' }, { name: 'x', body: 'x' }, { name: 'x', type: 'link', linkname: 'Dockerfile' },
    ]);
    const keep = { names: new Set(['Dockerfile', '.dockerignore', 'sub/.dockerignore']), files: new Map<string, Buffer>(), seen: new Set<string>(), symlinks: false };
    await extractTar(Readable.from([tar]), dir, { keep });
    assert.equal(keep.files.get('Dockerfile')?.toString(), 'FROM a\n');
    assert.deepEqual([...keep.seen].sort(), ['Dockerfile', 'sub/.dockerignore']);
    assert.equal(keep.files.has('sub/.dockerignore'), false);
    assert.equal(keep.symlinks, false);
    assert.equal((await readdir(join(dir, 'f'))).length, 300);
    assert.equal(await readFile(join(dir, 'f/299'), 'utf8'), 'n299');
    assert.equal(await readFile(join(dir, 'x'), 'utf8'), 'FROM a\n');
    const withLink = { names: new Set(['Dockerfile']), files: new Map<string, Buffer>(), seen: new Set<string>(), symlinks: false };
    await extractTar(Readable.from([await tarOf([{ name: 'l', type: 'symlink', linkname: '/etc' }])]), join(dir, 'two'), { keep: withLink });
    assert.equal(withLink.symlinks, true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
