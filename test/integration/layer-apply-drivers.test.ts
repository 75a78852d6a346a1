// Layer tars applied by the layer store on each driver (as root: whiteouts are device
// nodes): OCI whiteouts and opaque dirs, a dir replacing a parent's symlink (never followed
// out of the tree), hard links, through both apply paths (applyTar, and stage +
// commitStaged as a parallel pull does). The snapshot drivers' diff of a container layer
// (upperDir) gives back the changes in overlay format. btrfs runs on a loop-mounted image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';
import { LayerStore, type DriverName } from '../../src/layer/index.ts';
import { silentLogger } from '../../src/lib/index.ts';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string; linkname?: string; mode?: number };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: 0, gid: 0, mtime: new Date(1e12), ...(e.linkname ? { linkname: e.linkname } : {}) };
    await new Promise<void>((res, rej) => {
      const done = (err?: Error | null): void => (err ? rej(err) : res());
      if (type === 'file') pack.entry(header, e.body ?? '', done); else pack.entry(header, done);
    });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const BASE: Entry[] = [
  { name: 'a', type: 'directory' }, { name: 'a/x', body: 'x' }, { name: 'a/y', body: 'y' },
  { name: 'b', type: 'directory' }, { name: 'b/old1', body: '1' }, { name: 'b/old2', body: '2' },
  { name: 'c', type: 'symlink', linkname: '/tmp' },
  { name: 'keep', body: 'keep' },
];
const TOP: Entry[] = [
  { name: 'a', type: 'directory' }, { name: 'a/.wh.x', body: '' },
  { name: 'b', type: 'directory', mode: 0o700 }, { name: 'b/.wh..wh..opq', body: '' }, { name: 'b/new', body: 'new' },
  { name: 'c', type: 'directory' }, { name: 'c/escape', body: 'inside' },
  { name: 'h1', body: 'linked' }, { name: 'a/h2', type: 'link', linkname: 'h1' },
];

/** What a container sees on this chain, read through the driver's mount. */
async function view(store: LayerStore, top: string): Promise<string> {
  const id = 'e'.repeat(64);
  await store.createRW(id, top);
  try {
    const root = await store.mountRW(id, top);
    const walk = (dir: string, rel: string): string[] => readdirSync(dir).sort().flatMap((n) => {
      const p = join(dir, n); const r = rel ? `${rel}/${n}` : n; const st = lstatSync(p);
      if (st.isDirectory()) return [`${r}/ ${(st.mode & 0o777).toString(8)}`, ...walk(p, r)];
      if (st.isSymbolicLink()) return [`${r} ->`];
      return [`${r} ${readFileSync(p, 'utf8')} n${st.nlink}`];
    });
    return walk(root, '').join('\n');
  } finally {
    await store.unmountRW(id).catch(() => undefined);
    await store.removeRW(id);
  }
}

const EXPECTED = ['a/ 755', 'a/h2 linked n2', 'a/y y n1', 'b/ 700', 'b/new new n1', 'c/ 755', 'c/escape inside n1', 'h1 linked n2', 'keep keep n1'].join('\n');

async function exercise(root: string, driver: DriverName): Promise<void> {
  const store = new LayerStore(root, silentLogger, null, driver);
  await store.init();
  assert.equal(store.driver.name, driver);
  // applyTar
  const base = await store.applyTar(null, Readable.from(await tarOf(BASE)));
  const top = await store.applyTar(base.chainId, Readable.from(await tarOf(TOP)));
  assert.equal(await view(store, top.chainId), EXPECTED);
  assert.equal(existsSync('/tmp/escape'), false, 'nothing written through the parent symlink');
  // stage + commitStaged (a pull: the top layer extracted before its parent is registered)
  const root2 = mkdtempSync(join(root, '..', 'second-'));
  const store2 = new LayerStore(root2, silentLogger, null, driver);
  await store2.init();
  const stagedTop = await store2.stage(Readable.from(await tarOf(TOP)));
  const stagedBase = await store2.stage(Readable.from(await tarOf(BASE)));
  const b2 = await store2.commitStaged(null, stagedBase);
  const t2 = await store2.commitStaged(b2.chainId, stagedTop);
  assert.equal(t2.chainId, top.chainId, 'the same chain id either way');
  assert.equal(await view(store2, t2.chainId), EXPECTED);

  if (driver !== 'overlay2') {
    // The container's changes as an upper dir: a whiteout, a new file, a changed mode.
    const id = 'd'.repeat(64);
    await store.createRW(id, top.chainId);
    const tree = await store.mountRW(id, top.chainId);
    rmSync(join(tree, 'keep'));
    writeFileSync(join(tree, 'b', 'added'), 'added');
    execFileSync('chmod', ['711', join(tree, 'a')]);
    const upper = await store.upperDir(id);
    const st = lstatSync(join(upper, 'keep'));
    assert.ok(st.isCharacterDevice() && st.rdev === 0, 'a deletion is a 0:0 whiteout');
    assert.equal(readFileSync(join(upper, 'b', 'added'), 'utf8'), 'added');
    assert.equal(statSync(join(upper, 'a')).mode & 0o777, 0o711);
    assert.deepEqual(readdirSync(upper).sort(), ['a', 'b', 'keep']);
    assert.deepEqual(readdirSync(join(upper, 'a')), [], 'unchanged files are left out');
    const layer = await store.registerDir(top.chainId, upper);
    const v = await view(store, layer.chainId);
    assert.ok(!v.includes('keep keep') && v.includes('b/added added') && v.includes('a/ 711'), v);
    await store.removeRW(id);
  }
  // gc leaves no layer dir behind, and the start-up check finds none.
  assert.equal(await store.gc([]), (driver === 'overlay2' ? 2 : 3));
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await store.driver.list(), []);
}

test('layer apply on overlay2', async () => {
  const dir = mkdtempSync('/tmp/berth-test-apply-');
  try { await exercise(join(dir, 'data'), 'overlay2'); } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('layer apply on vfs', async () => {
  const dir = mkdtempSync('/tmp/berth-test-apply-');
  try { await exercise(join(dir, 'data'), 'vfs'); } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('layer apply on btrfs (loop-mounted image)', async (t) => {
  if (!readFileSync('/proc/filesystems', 'utf8').includes('btrfs') || !existsSync('/usr/bin/btrfs') && !existsSync('/bin/btrfs')) {
    t.skip('btrfs-progs or the btrfs kernel module is missing');
    return;
  }
  const dir = mkdtempSync('/tmp/berth-test-apply-');
  const img = join(dir, 'fs.img');
  const mnt = join(dir, 'mnt');
  let dev = '';
  try {
    execFileSync('truncate', ['-s', '1G', img]);
    execFileSync('mkfs.btrfs', ['-q', img]);
    dev = execFileSync('losetup', ['--find', '--show', img], { encoding: 'utf8' }).trim();
    mkdirSync(mnt);
    execFileSync('mount', [dev, mnt]);
    await exercise(join(mnt, 'data'), 'btrfs');
  } finally {
    try { execFileSync('umount', [mnt], { stdio: 'ignore' }); } catch { /* not mounted */ }
    if (dev) { try { execFileSync('losetup', ['-d', dev], { stdio: 'ignore' }); } catch { /* gone */ } }
    rmSync(dir, { recursive: true, force: true });
  }
});
