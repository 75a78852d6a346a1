import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerignore, IgnoreMatcher } from './ignore-patterns.ts';

test('parseDockerignore cleans patterns', () => {
  assert.deepEqual(parseDockerignore('# comment\n\n  node_modules  \n/abs/\n!keep.txt\na/../b\n./x'), ['node_modules', 'abs', '!keep.txt', 'b', 'x']);
});

test('matching, as moby/patternmatcher and docker/cli', () => {
  const cases: [string, string, boolean][] = [
    // pattern text, path, excluded
    ['*.md', 'README.md', true],
    ['*.md', 'docs/README.md', false],
    ['**/*.md', 'docs/README.md', true],
    ['**/*.md', 'README.md', true],
    ['docs', 'docs/a/b.txt', true],
    ['docs/', 'docs/a.txt', true],
    ['*/temp*', 'somedir/temporary.txt', true],
    ['*/temp*', 'somedir/sub/temp', false],
    ['*/*/temp*', 'a/b/temp.x', true],
    ['temp?', 'temp1', true],
    ['temp?', 'temp12', false],
    ['node_modules', 'node_modules', true],
    ['node_modules', 'src/node_modules', false],
    ['**/node_modules', 'src/node_modules/x', true],
    ['*\n!keep.txt', 'keep.txt', false],
    ['*\n!keep.txt', 'other.txt', true],
    ['*.txt\n!important*.txt\nimportant-b.txt', 'important-a.txt', false],
    ['*.txt\n!important*.txt\nimportant-b.txt', 'important-b.txt', true],
    ['/abs', 'abs/x', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['[a-c].txt', 'b.txt', true],
    ['[!a-c].txt', 'b.txt', false],
    ['.git', '.git/HEAD', true],
    ['Dockerfile', 'Dockerfile', true],
    ['\\*x', '*x', true],
  ];
  for (const [pat, path, want] of cases) {
    assert.equal(new IgnoreMatcher(parseDockerignore(pat)).excludes(path), want, `${JSON.stringify(pat)} ${path}`);
  }
});
