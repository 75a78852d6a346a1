import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValueFile } from './env-file.ts';

const lookup = (k: string): string | undefined => ({ HOME: '/root', EMPTY: '' } as Record<string, string>)[k];

const cases: { name: string; content: string | Buffer; want: string[] }[] = [
  { name: 'simple', content: 'A=1\nB=two words\n', want: ['A=1', 'B=two words'] },
  { name: 'comments and blanks', content: '# comment\n\n   \nA=1\n  # indented comment\n', want: ['A=1'] },
  { name: 'leading white space trimmed, value untouched', content: '   A= spaced value  \n', want: ['A= spaced value  '] },
  { name: 'bare key from environment', content: 'HOME\nMISSING\nEMPTY\n', want: ['HOME=/root', 'MISSING', 'EMPTY='] },
  { name: 'empty value', content: 'A=\n', want: ['A='] },
  { name: 'equals in value', content: 'A=b=c\n', want: ['A=b=c'] },
  { name: 'CRLF', content: 'A=1\r\nB=2\r\n', want: ['A=1', 'B=2'] },
  { name: 'BOM', content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('A=1\n')]), want: ['A=1'] },
  { name: 'no trailing newline', content: 'A=1', want: ['A=1'] },
];

for (const c of cases) {
  test(`env file: ${c.name}`, () => assert.deepEqual(parseKeyValueFile('f.env', c.content, lookup), c.want));
}

test('env file errors are docker\'s', () => {
  assert.throws(() => parseKeyValueFile('f', 'A B=1\n'), { message: "poorly formatted environment: variable 'A B' contains whitespaces" });
  assert.throws(() => parseKeyValueFile('f', '=1\n'), { message: "poorly formatted environment: no variable name on line '=1'" });
  assert.throws(() => parseKeyValueFile('f', Buffer.from([0x41, 0x3d, 0xff, 0x0a])), /env file f contains invalid utf8 bytes at line 1/);
});

test('label files keep bare keys', () => {
  assert.deepEqual(parseKeyValueFile('l', 'HOME\nx=y\n'), ['HOME', 'x=y']);
});
