import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHeader, paxRecord, splitUSTARPath, type GoTarHeader } from './go-tar.ts';

const base: GoTarHeader = { name: 'a', type: '0', mode: 0o100644, uid: 0, gid: 0, size: 5, mtime: 1612325106, uname: 'root', gname: 'root' };
const field = (b: Buffer, off: number, len: number): string => b.subarray(off, off + len).toString('latin1');

test('a USTAR header: octal fields, magic, devmajor/minor written as zeros, checksum "NNNNNN\\0 "', () => {
  const b = encodeHeader(base);
  assert.equal(b.length, 512);
  assert.equal(field(b, 0, 2), 'a\0');
  assert.equal(field(b, 100, 8), '0100644\0');
  assert.equal(field(b, 108, 8), '0000000\0');
  assert.equal(field(b, 124, 12), '00000000005\0');
  assert.equal(field(b, 136, 12), '14006420362\0');
  assert.equal(field(b, 257, 8), 'ustar\x0000');
  assert.equal(field(b, 265, 5), 'root\0');
  assert.equal(field(b, 329, 16), '0000000\x000000000\0');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  assert.equal(field(b, 148, 8), `${sum.toString(8).padStart(6, '0')}\0 `);
});

test('splitUSTARPath: at the last fitting slash, as Go splits', () => {
  const cases: [string, [string, string] | null][] = [
    ['short', null],
    [`${'d'.repeat(60)}/${'e'.repeat(70)}`, [`${'d'.repeat(60)}`, `${'e'.repeat(70)}`]],
    [`${'d'.repeat(60)}/${'e'.repeat(70)}/`, [`${'d'.repeat(60)}`, `${'e'.repeat(70)}/`]],
    [`data/${'f'.repeat(120)}`, null], // the base is over 100
    [`caf\u00e9/${'x'.repeat(100)}`, null], // not ASCII
    [`/${'x'.repeat(100)}`, null], // nothing before the slash
  ];
  for (const [name, want] of cases) assert.deepEqual(splitUSTARPath(name), want, name);
});

test('paxRecord counts its own length (Go formatPAXRecord)', () => {
  assert.equal(paxRecord('path', Buffer.from('x')).toString(), '9 path=x\n');
  assert.equal(paxRecord('uid', Buffer.from('2097152')).toString(), '15 uid=2097152\n');
  const v = 'y'.repeat(91); // ' path=' + 91 + '\n' = 98 bytes: 2 digits make 100, so 3 digits, 101
  assert.equal(paxRecord('path', Buffer.from(v)).toString(), `101 path=${v}\n`);
});

test('PAX: non-ASCII or long names, big ids, xattrs; records sorted; main header ASCII-only', () => {
  const h = encodeHeader({ ...base, name: 'data/caf\u00e9.txt', uid: 2097152, xattrs: [['security.capability', Buffer.from([1, 0, 0, 2])]] });
  assert.equal(h.length, 512 * 3);
  assert.equal(field(h, 0, 24), 'data/PaxHeaders.0/caf.tx');
  assert.equal(field(h, 156, 1), 'x');
  assert.equal(field(h, 100, 8), '0000000\0');
  const data = h.subarray(512, 1024).toString('latin1').replace(/\0+$/, '');
  const keys = data.split('\n').filter(Boolean).map((r) => r.split(' ')[1]!.split('=')[0]);
  assert.deepEqual(keys, ['SCHILY.xattr.security.capability', 'path', 'uid']);
  const main = h.subarray(1024);
  assert.equal(field(main, 0, 14), 'data/caf.txt\0\0');
  assert.equal(field(main, 108, 8), '0000000\0'); // a uid too big for octal is 0 in the main header
  assert.equal(field(main, 257, 8), 'ustar\x0000');
  // A dir's PAX name has no trailing slash; a name cut at 100 bytes loses a trailing '/'.
  const dir = encodeHeader({ ...base, type: '5', size: 0, name: `${'g'.repeat(120)}/` });
  assert.equal(field(dir, 0, 100).replace(/\0+$/, ''), `${'g'.repeat(120)}/PaxHeaders.0`.slice(0, 100));
});
