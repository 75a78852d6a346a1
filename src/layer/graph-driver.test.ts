import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backingFsName, chooseDriver } from './graph-driver.ts';
import { statDiffers } from './snapshot-diff.ts';

test('chooseDriver: requested, recorded and automatic choices', () => {
  const cases: { name: string; requested: string; recorded: 'overlay2' | 'vfs' | 'btrfs' | null; fs: string; want?: string; err?: RegExp }[] = [
    { name: 'new root on ext4: overlay2', requested: '', recorded: null, fs: 'extfs', want: 'overlay2' },
    { name: 'new root on btrfs: btrfs', requested: '', recorded: null, fs: 'btrfs', want: 'btrfs' },
    { name: 'new root on overlayfs: vfs', requested: '', recorded: null, fs: 'overlayfs', want: 'vfs' },
    { name: 'vfs asked on ext4', requested: 'vfs', recorded: null, fs: 'extfs', want: 'vfs' },
    { name: 'overlay2 asked on btrfs', requested: 'overlay2', recorded: null, fs: 'btrfs', want: 'overlay2' },
    { name: 'recorded kept without a flag', requested: '', recorded: 'vfs', fs: 'btrfs', want: 'vfs' },
    { name: 'recorded equals the flag', requested: 'vfs', recorded: 'vfs', fs: 'extfs', want: 'vfs' },
    { name: 'another driver refused', requested: 'overlay2', recorded: 'vfs', fs: 'extfs', err: /holds the layers of storage driver vfs.*--storage-driver vfs/ },
    { name: 'btrfs off btrfs refused', requested: 'btrfs', recorded: null, fs: 'extfs', err: /prerequisites for driver not satisfied \(wrong filesystem\?\)/ },
    { name: 'recorded btrfs moved off btrfs refused', requested: '', recorded: 'btrfs', fs: 'xfs', err: /wrong filesystem/ },
    { name: 'unknown driver', requested: 'zfs', recorded: null, fs: 'extfs', err: /driver not supported: zfs/ },
    { name: 'overlay2 over overlayfs refused', requested: 'overlay2', recorded: null, fs: 'overlayfs', err: /not supported over overlayfs/ },
  ];
  for (const c of cases) {
    if (c.err) assert.throws(() => chooseDriver(c.requested, c.recorded, c.fs, '/d'), c.err, c.name);
    else assert.equal(chooseDriver(c.requested, c.recorded, c.fs, '/d'), c.want, c.name);
  }
});

test('backingFsName: Docker names for statfs magics', () => {
  assert.equal(backingFsName(0xef53), 'extfs');
  assert.equal(backingFsName(0x9123683e), 'btrfs');
  assert.equal(backingFsName(0x58465342), 'xfs');
  assert.equal(backingFsName(0x01021994), 'tmpfs');
  assert.equal(backingFsName(0x9123683e | 0), 'btrfs', 'a signed f_type is read unsigned');
  assert.match(backingFsName(0x1234), /^<unknown> \(0x1234\)$/);
});

test('statDiffers: the naive diff of the snapshot drivers', () => {
  const file = { mode: 0o100644n, uid: 0n, gid: 0n, rdev: 0n, size: 5n, mtimeNs: 1000n };
  const dir = { ...file, mode: 0o040755n, size: 4096n };
  const cases: [string, typeof file, typeof file, boolean][] = [
    ['same file', file, { ...file }, false],
    ['content size', file, { ...file, size: 6n }, true],
    ['mtime to the nanosecond', file, { ...file, mtimeNs: 1001n }, true],
    ['mode', file, { ...file, mode: 0o100600n }, true],
    ['owner', file, { ...file, uid: 1n }, true],
    ['group', file, { ...file, gid: 1n }, true],
    ['file became a symlink', file, { ...file, mode: 0o120777n }, true],
    ['dir mtime ignored', dir, { ...dir, mtimeNs: 5n, size: 8192n }, false],
    ['dir mode', dir, { ...dir, mode: 0o040700n }, true],
    ['device numbers', { ...file, mode: 0o020666n, rdev: 259n }, { ...file, mode: 0o020666n, rdev: 260n }, true],
  ];
  for (const [name, a, b, want] of cases) assert.equal(statDiffers(a, b), want, name);
});
