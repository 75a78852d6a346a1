import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tarStream from 'tar-stream';
import { TarGuard, cleanRelative } from './tar-guard.ts';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string; pax?: Record<string, string> };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const h = { name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}), ...(e.pax ? { pax: e.pax } : {}) };
      pack.entry(h, e.body ?? (h.type === 'file' ? '' : undefined) as string, (err) => (err ? rej(err) : res()));
    });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Runs bytes through the guard in small, odd-sized chunks (headers split across chunks). */
async function guard(buf: Buffer, chunk = 333): Promise<void> {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  await pipeline(Readable.from(parts), new TarGuard(), new Writable({ write(_c, _e, cb) { cb(); } }));
}

const long = 'd/'.repeat(80) + 'file';
const cases: { name: string; entries: Entry[]; error?: RegExp }[] = [
  { name: 'plain files and dirs', entries: [{ name: 'etc/', type: 'directory' }, { name: 'etc/passwd', body: 'root:x:0:0\n' }] },
  { name: 'in-root ".." is fine', entries: [{ name: 'a/../b', body: 'x' }] },
  { name: 'absolute symlink target is fine on its own', entries: [{ name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }] },
  { name: 'relative symlink inside, entry under it', entries: [{ name: 'usr/lib/', type: 'directory' }, { name: 'lib', type: 'symlink', linkname: 'usr/lib' }, { name: 'lib/x', body: '1' }] },
  { name: 'hard link inside', entries: [{ name: 'a', body: 'x' }, { name: 'b', type: 'link', linkname: 'a' }] },
  { name: 'long name (PAX) inside', entries: [{ name: long, body: 'x' }] },
  { name: 'leading ..', entries: [{ name: '../escape', body: 'x' }], error: /"\.\.\/escape" climbs out of the layer/ },
  { name: '.. in the middle', entries: [{ name: 'a/../../escape', body: 'x' }], error: /climbs out/ },
  { name: 'absolute name', entries: [{ name: '/etc/cron.d/x', body: 'x' }], error: /has an absolute path/ },
  { name: 'PAX path with ..', entries: [{ name: 'innocent', body: 'x', pax: { path: '../../pax-escape' } }], error: /pax-escape" climbs out/ },
  { name: 'symlink to absolute dir, file under it', entries: [{ name: 'link', type: 'symlink', linkname: '/etc' }, { name: 'link/passwd', body: 'x' }], error: /goes through the symlink "link" -> "\/etc"/ },
  { name: 'symlink climbing out, file under it', entries: [{ name: 'a/link', type: 'symlink', linkname: '../../..' }, { name: 'a/link/tmp/x', body: 'x' }], error: /goes through the symlink "a\/link"/ },
  { name: 'hard link climbing out', entries: [{ name: 'h', type: 'link', linkname: '../../etc/shadow' }], error: /hard link to "\.\.\/\.\.\/etc\/shadow"/ },
  { name: 'symlink replaced by a directory', entries: [{ name: 'x', type: 'symlink', linkname: '/etc' }, { name: 'x', type: 'directory' }, { name: 'x/f', body: '1' }] },
];
for (const c of cases) {
  test(`tar guard: ${c.name}`, async () => {
    const buf = await tarOf(c.entries);
    for (const size of [333, 512, 1 << 20]) {
      if (c.error) await assert.rejects(guard(buf, size), c.error);
      else await guard(buf, size);
    }
  });
}

test('cleanRelative', () => {
  assert.equal(cleanRelative('a/./b//c/'), 'a/b/c');
  assert.equal(cleanRelative('a/../b'), 'b');
  assert.equal(cleanRelative('..'), null);
  assert.equal(cleanRelative('a/../../b'), null);
});
