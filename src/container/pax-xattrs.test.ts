import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parsePaxRecords, PaxXattrs } from './pax-xattrs.ts';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../layer/index.ts';

test('parsePaxRecords: raw values, binary ones included; a malformed rest is dropped', () => {
  const cap = Buffer.from([1, 0, 0, 2, 0xff, 0xfe, 0, 0x80]);
  const rec = (k: string, v: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(` ${k}=`), v, Buffer.from('\n')]);
    let n = body.length + String(body.length).length;
    if (String(n).length + body.length !== n) n = String(n).length + body.length;
    return Buffer.concat([Buffer.from(String(n)), body]);
  };
  const m = parsePaxRecords(Buffer.concat([rec('path', Buffer.from('a')), rec('SCHILY.xattr.security.capability', cap), Buffer.from('99 broken')]));
  assert.deepEqual([...m.keys()], ['path', 'SCHILY.xattr.security.capability']);
  assert.deepEqual(m.get('SCHILY.xattr.security.capability'), cap);
});

test('PaxXattrs: each entry\'s xattrs by number, whatever the chunking; the bytes pass unchanged', async () => {
  const cap = Buffer.from([1, 0, 0, 2, 0xff, 0xfe, 0, 0x80, 0x20, 0x0a]);
  const file = (name: string, body: string, xattrs?: [string, Buffer][]): Buffer[] => [
    encodeHeader({ name, type: '0', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, ...(xattrs ? { xattrs } : {}) }),
    Buffer.from(body), Buffer.alloc(padding(body.length)),
  ];
  const tar = Buffer.concat([
    ...file('plain', 'x'.repeat(700)),
    encodeHeader({ name: 'dir/', type: '5', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, xattrs: [['user.d', Buffer.from('on-dir')]] }),
    ...file('capped', 'bin', [['security.capability', cap], ['user.x', Buffer.from('y')]]),
    encodeHeader({ name: 'l', type: '2', mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0, linkname: 'x'.repeat(150) }),
    ...file('last', ''),
    END_OF_ARCHIVE,
  ]);
  for (const step of [1, 7, 512, 100000]) {
    const p = new PaxXattrs();
    const out: Buffer[] = [];
    const chunks = Array.from({ length: Math.ceil(tar.length / step) }, (_, i) => tar.subarray(i * step, (i + 1) * step));
    await pipeline(Readable.from(chunks), p, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
    assert.ok(Buffer.concat(out).equals(tar), `step ${step}: bytes unchanged`);
    assert.deepEqual(p.xattrsOf(0), new Map());
    assert.deepEqual(p.xattrsOf(1), new Map([['user.d', Buffer.from('on-dir')]]));
    assert.deepEqual(p.xattrsOf(2), new Map([['security.capability', cap], ['user.x', Buffer.from('y')]]), `step ${step}`);
    assert.deepEqual(p.xattrsOf(3), new Map());
    assert.deepEqual(p.xattrsOf(4), new Map());
  }
});
