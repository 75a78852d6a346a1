// The vfs and btrfs graph drivers end to end: a TestDaemon with --storage-driver vfs, and one
// whose data root is a loop-mounted btrfs image made here (the driver is then chosen by
// itself). Each: import busybox, change files in a container, commit, run the committed image
// (and a commit of a commit: whiteouts over a snapshot parent), diff, rmi with no orphan
// layer dir left, a start-up check that removes a planted orphan, info and inspect naming
// the driver, and a restart with another driver refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon } from '../support/daemon.ts';

interface LoopFs { img: string; dev: string; mnt: string }

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function haveBtrfs(): string | null {
  try { sh('which', ['mkfs.btrfs', 'btrfs', 'losetup']); } catch { return 'btrfs-progs is not installed (make deps)'; }
  if (!readFileSync('/proc/filesystems', 'utf8').includes('btrfs')) return 'the kernel has no btrfs';
  return null;
}

/** A 1 GiB btrfs image file, loop-attached and mounted at `mnt`. */
function mountBtrfs(mnt: string): LoopFs {
  const dir = mkdtempSync('/tmp/berth-test-btrfs-');
  const img = join(dir, 'fs.img');
  const fs: LoopFs = { img, dev: '', mnt };
  try {
    sh('truncate', ['-s', '1G', img]);
    sh('mkfs.btrfs', ['-q', img]);
    fs.dev = sh('losetup', ['--find', '--show', img]).trim();
    mkdirSync(mnt, { recursive: true });
    sh('mount', [fs.dev, mnt]);
  } catch (err) {
    unmountBtrfs(fs);
    throw err;
  }
  return fs;
}

function unmountBtrfs(fs: LoopFs): void {
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === fs.mnt);
  if (mounted) { try { sh('umount', [fs.mnt]); } catch { try { sh('umount', ['-l', fs.mnt]); } catch { /* gone */ } } }
  if (fs.dev) { try { sh('losetup', ['-d', fs.dev]); } catch { /* detached */ } }
  rmSync(join(fs.img, '..'), { recursive: true, force: true });
}

/** Layer dirs of the driver that are neither a recorded layer nor a container. */
function orphans(d: TestDaemon, driver: string, containerIds: string[]): string[] {
  const sub = driver === 'btrfs' ? 'subvolumes' : 'dir';
  const recRoot = join(d.dataRoot, 'layer', 'sha256');
  const cacheIds = new Set(readdirSync(recRoot).filter((n) => !n.includes('.tmp')).map((n) => readFileSync(join(recRoot, n, 'cache-id'), 'utf8').trim()));
  return readdirSync(join(d.dataRoot, driver, sub)).filter((n) => !cacheIds.has(n) && !containerIds.includes(n));
}

async function ok(d: TestDaemon, args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function exercise(t: { diagnostic(m: string): void }, d: TestDaemon, driver: string): Promise<void> {
  await d.importBusybox();
  assert.equal((await ok(d, ['info', '--format', '{{.Driver}}'])).trim(), driver);
  assert.equal((await ok(d, ['image', 'inspect', '--format', '{{.GraphDriver.Name}}', 'busybox'])).trim(), driver);

  // Changes: a new file, a changed file, a deleted tree, a new dir with a symlink, a hard link.
  await ok(d, ['run', '--name', 'berth-test-gd1', 'busybox', 'sh', '-c',
    'echo hi > /new.txt && echo changed > /etc/group && rm -rf /var/www && mkdir /home/u && ln -s /etc/passwd /home/u/link && ln /new.txt /home/u/hard']);
  assert.equal((await ok(d, ['inspect', '--format', '{{.GraphDriver.Name}} {{.Driver}}', 'berth-test-gd1'])).trim(), `${driver} ${driver}`);
  const ps = JSON.parse(await ok(d, ['ps', '-a', '-s', '--format', '{{json .}}', '--filter', 'name=berth-test-gd1'])) as { Size: string };
  assert.match(ps.Size, /^[1-9][0-9.]*k?B/, `SizeRw counts the changed bytes: ${ps.Size}`);

  const changes = await d.api('GET', '/containers/berth-test-gd1/changes');
  if (changes.status === 404 && !/No such container/.test(changes.body)) {
    t.diagnostic('docker diff is not served by this build (GET /containers/{id}/changes): skipped');
  } else {
    const out = await ok(d, ['diff', 'berth-test-gd1']);
    for (const line of ['A /new.txt', 'C /etc/group', 'D /var/www', 'A /home/u']) assert.ok(out.split('\n').includes(line), `${line} in:\n${out}`);
  }

  await ok(d, ['commit', 'berth-test-gd1', 'berth-test-gd:1']);
  assert.deepEqual(readdirSync(join(d.dataRoot, driver, 'upper')), [], 'the diff made for the commit is freed');
  const seen = await ok(d, ['run', '--rm', 'berth-test-gd:1', 'sh', '-c',
    'cat /new.txt /etc/group; test -e /var/www && echo www-still-there; readlink /home/u/link; stat -c %h /home/u/hard; cat /etc/passwd | head -1']);
  assert.equal(seen, 'hi\nchanged\n/etc/passwd\n2\nroot:x:0:0:root:/root:/bin/sh\n');

  // A commit of a commit: a whiteout and an opaque replacement over a snapshot parent.
  await ok(d, ['run', '--name', 'berth-test-gd2', 'berth-test-gd:1', 'sh', '-c', 'rm /new.txt /home/u/hard && rm -rf /home/u && mkdir /home/u && echo only > /home/u/f']);
  await ok(d, ['commit', 'berth-test-gd2', 'berth-test-gd:2']);
  const seen2 = await ok(d, ['run', '--rm', 'berth-test-gd:2', 'sh', '-c', 'ls -A /home/u; test -e /new.txt && echo new-still-there; cat /etc/group']);
  assert.equal(seen2, 'f\nchanged\n');
  assert.equal((await ok(d, ['history', '-q', 'berth-test-gd:2'])).trim().split('\n').length, 3);

  // A build step on this driver (RUN: the step's changes come from the driver's diff).
  const build = await d.docker(['build', '-q', '-t', 'berth-test-gd:3', '-'], { input: 'FROM berth-test-gd:2\nRUN rm /etc/group && echo built > /built\n' });
  assert.equal(build.code, 0, build.stderr);
  assert.equal(await ok(d, ['run', '--rm', 'berth-test-gd:3', 'sh', '-c', 'cat /built; test -e /etc/group && echo group-still-there; cat /home/u/f']), 'built\nonly\n');

  // rm and rmi leave no layer dir behind.
  await ok(d, ['rm', '-f', 'berth-test-gd1', 'berth-test-gd2']);
  await ok(d, ['rmi', 'berth-test-gd:3', 'berth-test-gd:2', 'berth-test-gd:1', 'busybox']);
  await ok(d, ['image', 'prune', '-a', '-f']);
  const pruned = await d.api('POST', '/build/prune?all=1');
  assert.equal(pruned.status, 200, pruned.body);
  await new Promise((r) => setTimeout(r, 300)); // deletions finish in the background after the rename
  assert.deepEqual(orphans(d, driver, []), []);
  assert.deepEqual(readdirSync(join(d.dataRoot, driver, driver === 'btrfs' ? 'subvolumes' : 'dir')), [], 'every image is gone, so every layer is');

  // The start-up check removes a layer dir nothing refers to.
  await d.importBusybox();
  const planted = join(d.dataRoot, driver, driver === 'btrfs' ? 'subvolumes' : 'dir', 'f'.repeat(64));
  mkdirSync(join(planted, 'etc'), { recursive: true });
  // What a kill -9 leaves in the middle of making a layer, a diff or a deletion.
  const transient = ['staging/berth-test-creating', 'upper/berth-test-upper', 'trash/berth-test-trash'].map((p) => join(d.dataRoot, driver, p));
  for (const p of transient) mkdirSync(join(p, 'x'), { recursive: true });
  await d.stopDaemon();
  await d.start();
  assert.equal(existsSync(planted), false, 'the orphan dir is removed at start');
  for (const p of transient) assert.equal(existsSync(p), false, `${p} is swept at start`);
  assert.equal((await ok(d, ['run', '--rm', 'busybox', 'cat', '/var/www/index.html'])).trim(), '<h1>hello from berth</h1>');

  // The data root keeps its driver: another one is refused with a clear message.
  await d.stopDaemon();
  const saved = d.extraArgs;
  d.extraArgs = [...saved.filter((a, i) => a !== '--storage-driver' && saved[i - 1] !== '--storage-driver'), '--storage-driver', 'overlay2'];
  await assert.rejects(() => d.start(), new RegExp(`holds the layers of storage driver ${driver}`));
  d.extraArgs = saved;
  await d.start();
  assert.equal((await ok(d, ['info', '--format', '{{.Driver}}'])).trim(), driver);
}

test('vfs driver: commit, diff, build, rmi, orphans, info', { timeout: 240_000 }, async (t) => {
  const d = new TestDaemon();
  d.extraArgs = ['--storage-driver', 'vfs'];
  try {
    await d.start();
    await exercise(t, d, 'vfs');
    const info = JSON.parse(await ok(d, ['info', '--format', '{{json .}}'])) as { DriverStatus: unknown };
    assert.ok(info.DriverStatus === null || Array.isArray(info.DriverStatus));
  } finally {
    await d.stop();
  }
});

test('btrfs driver on a loop-mounted btrfs data root: chosen by itself', { timeout: 240_000 }, async (t) => {
  const missing = haveBtrfs();
  if (missing) { t.skip(missing); return; }
  const d = new TestDaemon();
  let fs: LoopFs | null = null;
  try {
    fs = mountBtrfs(d.dataRoot);
    await d.start();
    await exercise(t, d, 'btrfs');
    const info = JSON.parse(await ok(d, ['info', '--format', '{{json .DriverStatus}}'])) as [string, string][];
    assert.ok(info.some(([k, v]) => k === 'Build Version' && /^Btrfs v\d/.test(v)), JSON.stringify(info));
    // Layers are subvolumes (snapshots of their parents), not copies.
    const subvols = sh('btrfs', ['subvolume', 'list', '-o', join(d.dataRoot, 'btrfs', 'subvolumes')]);
    assert.ok(subvols.split('\n').filter(Boolean).length >= 1, subvols);
  } finally {
    await d.stop();
    if (fs) unmountBtrfs(fs);
  }
});

test('overlay2 stays the default and reports its status', { timeout: 60_000 }, async (t) => {
  if (process.env.BERTH_TEST_STORAGE_DRIVER) { t.skip('BERTH_TEST_STORAGE_DRIVER picks another default'); return; }
  const d = new TestDaemon();
  try {
    await d.start();
    const info = JSON.parse(await ok(d, ['info', '--format', '{{json .}}'])) as { Driver: string; DriverStatus: [string, string][] };
    assert.equal(info.Driver, 'overlay2');
    assert.deepEqual(info.DriverStatus.map(([k]) => k), ['Backing Filesystem', 'Supports d_type', 'Using metacopy', 'Native Overlay Diff', 'userxattr']);
    assert.equal(readFileSync(join(d.dataRoot, 'layer', 'driver'), 'utf8'), 'overlay2');
    await d.importBusybox();
    await ok(d, ['create', '--name', 'berth-test-gdo', 'busybox', 'true']);
    const gd = JSON.parse(await ok(d, ['inspect', '--format', '{{json .GraphDriver}}', 'berth-test-gdo'])) as { Name: string; Data: Record<string, string> };
    assert.equal(gd.Name, 'overlay2');
    assert.deepEqual(Object.keys(gd.Data).sort(), ['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir']);
    const img = JSON.parse(await ok(d, ['image', 'inspect', '--format', '{{json .GraphDriver}}', 'busybox'])) as { Name: string; Data: Record<string, string> };
    assert.equal(img.Name, 'overlay2');
    assert.ok(img.Data.UpperDir?.endsWith('/diff'));
    await ok(d, ['rm', 'berth-test-gdo']);
    // The start-up check: a layer dir nothing refers to and a short link to nothing go.
    await d.stopDaemon();
    const planted = join(d.dataRoot, 'overlay2', 'f'.repeat(64));
    mkdirSync(join(planted, 'diff', 'etc'), { recursive: true });
    symlinkSync('../nothing/diff', join(d.dataRoot, 'overlay2', 'l', 'BERTHTESTDANGLING'));
    await d.start();
    assert.equal(existsSync(planted), false, 'the orphan layer dir is removed at start');
    assert.deepEqual(readdirSync(join(d.dataRoot, 'overlay2', 'l')).filter((n) => n === 'BERTHTESTDANGLING'), []);
    assert.equal((await ok(d, ['run', '--rm', 'busybox', 'cat', '/etc/group'])).split('\n')[0], 'root:x:0:');
    await d.stopDaemon();
    d.extraArgs = ['--storage-driver', 'vfs'];
    await assert.rejects(() => d.start(), /holds the layers of storage driver overlay2/);
    d.extraArgs = ['--storage-driver', 'zfs'];
    await assert.rejects(() => d.start(), /error initializing graphdriver: driver not supported: zfs/);
  } finally {
    await d.stop();
  }
});
