import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getRebaseName, goBase, goClean, goDir, preserveTrailingDotOrSeparator, prepareArchiveCopy, rebaseTransform, splitCpArg, splitPathDirEntry,
} from './cp-paths.ts';

test('splitCpArg tells container paths from local ones like docker cp', () => {
  const cases: [string, string, string][] = [
    ['ctr:/etc/hosts', 'ctr', '/etc/hosts'],
    ['ctr:rel', 'ctr', 'rel'],
    ['/abs:with-colon', '', '/abs:with-colon'],
    ['./file:name.txt', '', './file:name.txt'],
    ['local', '', 'local'],
    ['-', '', '-'],
  ];
  for (const [arg, c, p] of cases) assert.deepEqual(splitCpArg(arg), { container: c, path: p }, arg);
});

test('Go path semantics', () => {
  assert.equal(goBase('/'), '/');
  assert.equal(goBase('/a/b/'), 'b');
  assert.equal(goBase('/a/.'), '.');
  assert.equal(goClean(''), '.');
  assert.equal(goClean('/a/b/'), '/a/b');
  assert.equal(goDir('/a/b'), '/a');
  assert.equal(goDir('b'), '.');
  assert.deepEqual(splitPathDirEntry('/a/b/.'), ['/a/b', '.']);
  assert.deepEqual(splitPathDirEntry('/a/b/'), ['/a', 'b']);
  assert.deepEqual(splitPathDirEntry('/'), ['/', '/']);
  assert.equal(preserveTrailingDotOrSeparator('/a/b', '/a//b/'), '/a/b/');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', '/a/b/.'), '/a/b/.');
  assert.deepEqual(getRebaseName('/link', '/target'), ['/target', 'link']);
  assert.deepEqual(getRebaseName('/link/', '/target'), ['/target/', 'link']);
  assert.deepEqual(getRebaseName('/same', '/x/same'), ['/x/same', '']);
});

test('prepareArchiveCopy decides the extraction dir and the rebase as moby does', () => {
  const src = (path: string, isDir: boolean, rebaseName = '') => ({ path, exists: true, isDir, rebaseName });
  const dst = (path: string, exists: boolean, isDir: boolean) => ({ path, exists, isDir, rebaseName: '' });
  assert.deepEqual(prepareArchiveCopy(src('/s/file', false), dst('/d', true, true)), { dstDir: '/d', rebase: null });
  assert.deepEqual(prepareArchiveCopy(src('/s/file', false), dst('/d/new', false, false)), { dstDir: '/d', rebase: ['file', 'new'] });
  assert.deepEqual(prepareArchiveCopy(src('/s/dir', true), dst('/d/new', false, false)), { dstDir: '/d', rebase: ['dir', 'new'] });
  assert.deepEqual(prepareArchiveCopy(src('/s/dir/.', true), dst('/d/new', false, false)), { dstDir: '/d', rebase: ['.', 'new'] });
  assert.deepEqual(prepareArchiveCopy(src('/target', false, 'link'), dst('/d/x', true, false)), { dstDir: '/d', rebase: ['link', 'x'] });
  assert.throws(() => prepareArchiveCopy(src('/s/dir', true), dst('/d/file', true, false)), /cannot copy directory/);
  assert.throws(() => prepareArchiveCopy(src('/s/file', false), dst('/d/nodir/', false, false)), /no such directory/);
});

test('rebase transforms are GNU tar expressions that leave symlink targets alone', () => {
  assert.equal(rebaseTransform('etc', 'out'), 's,etc,out,S');
  assert.equal(rebaseTransform('.', 'new'), 's,\\.,new,S');
  assert.equal(rebaseTransform('/', 'dst'), 's,^,dst,S');
  assert.equal(rebaseTransform('a,b', 'c&d'), 's,a\\,b,c\\&d,S');
});
