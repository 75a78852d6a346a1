import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processWord, processWords, lookupOf, ShellLexError } from './shell-lex.ts';

const env = lookupOf(['A=hello', 'E=', 'P=/usr/local/bin/app.tar.gz', 'S=a b  c', 'N=1']);

test('processWord: Docker expansion rules', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['$A', 'hello'],
    ['${A}', 'hello'],
    ['x${A}y', 'xhelloy'],
    ['$A.txt', 'hello.txt'],
    ['$UNSET', ''],
    ['${UNSET}', ''],
    ['${UNSET:-def}', 'def'],
    ['${E:-def}', 'def'],
    ['${E-def}', ''],
    ['${UNSET-def}', 'def'],
    ['${A:-def}', 'hello'],
    ['${A:+alt}', 'alt'],
    ['${E:+alt}', ''],
    ['${E+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-$A}', 'hello'],
    ['${UNSET:-${A}-x}', 'hello-x'],
    ['${P#*/}', 'usr/local/bin/app.tar.gz'],
    ['${P##*/}', 'app.tar.gz'],
    ['${P%.*}', '/usr/local/bin/app.tar'],
    ['${P%%.*}', '/usr/local/bin/app'],
    ['${P#/usr}', '/local/bin/app.tar.gz'],
    ['${P%nomatch}', '/usr/local/bin/app.tar.gz'],
    ['${A/l/L}', 'heLlo'],
    ['${A//l/L}', 'heLLo'],
    ["'$A'", '$A'],
    ['"$A"', 'hello'],
    ['"a b"', 'a b'],
    ['\\$A', '$A'],
    ['"\\$A"', '$A'],
    ['"a\\b"', 'a\\b'],
    ['a\\ b', 'a b'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$1', ''],
    ['${N}0', '10'],
    ['"${S}"', 'a b  c'],
  ];
  for (const [input, want] of cases) assert.equal(processWord(input, env), want, input);
});

test('processWord: the backtick escape', () => {
  assert.equal(processWord('`$A', env, '`'), '$A');
  assert.equal(processWord('C:\\dir', env, '`'), 'C:\\dir');
});

test('processWord: errors', () => {
  assert.throws(() => processWord('${UNSET:?must be set}', env), (e: Error) => e instanceof ShellLexError && e.message === 'UNSET: must be set');
  assert.throws(() => processWord('${E:?}', env), ShellLexError);
  assert.equal(processWord('${E?}', env), '');
  assert.throws(() => processWord('${A', env), /missing '}'/);
  assert.throws(() => processWord("'abc", env), /single-quote/);
  assert.throws(() => processWord('"abc', env), /double-quote/);
  assert.throws(() => processWord('${A:x}', env), /unsupported modifier/);
});

test('processWords: splitting', () => {
  const cases: [string, string[]][] = [
    ['a b c', ['a', 'b', 'c']],
    ['  a   b ', ['a', 'b']],
    ['"a b" c', ['a b', 'c']],
    ["'' x", ['', 'x']],
    ['$S', ['a', 'b', 'c']],
    ['"$S"', ['a b  c']],
    ['x$UNSET y', ['x', 'y']],
    ['80/tcp ${N}443', ['80/tcp', '1443']],
  ];
  for (const [input, want] of cases) assert.deepEqual(processWords(input, env), want, input);
});
