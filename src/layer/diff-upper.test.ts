import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, link, rm, chmod } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { tarUpperDir, diffUpperDir } from './diff-upper.ts';

const isRoot = process.getuid?.() === 0;

async function entriesOf(stream: Readable): Promise<{ name: string; type: string; mode: number; linkname: string | null; body: string }[]> {
  const ex = extract();
  const out: { name: string; type: string; mode: number; linkname: string | null; body: string }[] = [];
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.push({ name: e.header.name, type: e.header.type, mode: e.header.mode, linkname: e.header.linkname ?? null, body: Buffer.concat(chunks).toString() });
  }
  return out;
}

test('upper dir -> layer tar with whiteouts and opaque dirs', { skip: isRoot ? false : 'needs root (mknod, trusted xattrs)' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-diff-'));
  try {
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc', 'hosts'), 'x\n');
    await chmod(join(dir, 'etc', 'hosts'), 0o640);
    execFileSync('mknod', [join(dir, 'etc', 'gone'), 'c', '0', '0']);
    await mkdir(join(dir, 'opq'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(dir, 'opq')]);
    await writeFile(join(dir, 'opq', 'new'), 'n');
    await symlink('etc/hosts', join(dir, 'sl'));
    await link(join(dir, 'etc', 'hosts'), join(dir, 'hl'));
    const e = await entriesOf(tarUpperDir(dir));
    assert.deepEqual(e.map((x) => [x.name, x.type]), [
      ['etc/', 'directory'], ['etc/.wh.gone', 'file'], ['etc/hosts', 'file'], ['hl', 'link'],
      ['opq/', 'directory'], ['opq/.wh..wh..opq', 'file'], ['opq/new', 'file'], ['sl', 'symlink'],
    ]);
    assert.equal(e[2]!.body, 'x\n');
    assert.equal(e[2]!.mode, 0o100640); // with the file type bits, as dockerd 20.10 writes them
    assert.equal(e[3]!.linkname, 'etc/hosts');
    assert.equal(e[7]!.linkname, 'etc/hosts');
    // diffID = sha256 of the same bytes, deterministic
    const chunks: Buffer[] = [];
    for await (const c of tarUpperDir(dir)) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const d = await diffUpperDir(dir);
    assert.equal(d.diffId, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    assert.equal(d.size, bytes.length);
    assert.equal(d.entries, 8);
    assert.equal(d.contentSize, 2 + 1 + 'etc/hosts'.length); // hosts once (hl is a link), opq/new, the symlink target
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('empty dir -> an empty tar (two zero blocks)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-diff-'));
  try {
    const d = await diffUpperDir(dir);
    assert.equal(d.size, 1024);
    assert.equal(d.entries, 0);
    assert.equal(d.diffId, 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('unshift: owners in the remapped range get the container ids back; others stay', { skip: isRoot ? false : 'needs root (chown)' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-unshift-'));
  try {
    await writeFile(join(dir, 'mine'), 'x');
    await writeFile(join(dir, 'root'), 'y');
    execFileSync('chown', ['100005:100007', join(dir, 'mine')]);
    execFileSync('chown', ['0:0', join(dir, 'root')]);
    const owners = new Map<string, [number, number]>();
    const ex = extract();
    ex.on('entry', (h, s, next) => { owners.set(h.name, [h.uid ?? -1, h.gid ?? -1]); s.resume(); s.on('end', next); });
    const done = new Promise<void>((r) => ex.on('finish', () => r()));
    Readable.from(tarUpperDir(dir, undefined, { uid: 100000, gid: 100000 })).pipe(ex);
    await done;
    assert.deepEqual(owners.get('mine'), [5, 7]);
    assert.deepEqual(owners.get('root'), [0, 0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
