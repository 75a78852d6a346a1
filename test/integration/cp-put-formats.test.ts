// PUT /containers/{id}/archive takes what Docker's DecompressStream takes: an uncompressed
// tar, gzip, bzip2, xz (and zstd); a file's xattrs (PAX SCHILY.xattr records) are kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TestDaemon, missingTools } from '../support/daemon.ts';

const skip = process.getuid?.() !== 0 ? 'needs root' : missingTools('/usr/local/bin/docker', '/usr/bin/conmon', '/usr/bin/xz', '/usr/bin/bzip2', '/usr/bin/setfattr');
if (skip) console.log(`# skipping cp PUT format tests: ${skip}`);
const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-cpput-');

before(async () => { if (skip) return; await d.start(); await d.importBusybox(); });
after(async () => { if (!skip) await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

test('cp PUT: plain, gzip, bzip2 and xz bodies; xattrs kept', { skip }, async () => {
  writeFileSync(join(tmp, 'payload'), 'same content\n');
  assert.equal(spawnSync('setfattr', ['-n', 'user.berth', '-v', 'kept', join(tmp, 'payload')]).status, 0);
  const tar = spawnSync('tar', ['--xattrs', '--xattrs-include=user.*', '--format=posix', '-c', '-C', tmp, 'payload']).stdout;
  const via = (tool: string): Buffer => spawnSync(tool, ['-c'], { input: tar }).stdout;
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-cpput', 'busybox', 'sleep', '600'])).code, 0);
  try {
    for (const [kind, body] of [['plain', tar], ['gzip', gzipSync(tar)], ['bzip2', via('bzip2')], ['xz', via('xz')]] as const) {
      const dir = `/tmp/${kind}`;
      assert.equal((await d.docker(['exec', 'berth-test-cpput', 'mkdir', dir])).code, 0);
      const r = await d.api('PUT', `/containers/berth-test-cpput/archive?path=${dir}`, body, { 'Content-Type': 'application/x-tar' });
      assert.equal(r.status, 200, `${kind}: ${r.body}`);
      assert.equal((await d.docker(['exec', 'berth-test-cpput', 'cat', `${dir}/payload`])).stdout, 'same content\n', kind);
    }
    // The xattr, seen from the host through the container's root.
    const pid = (await d.docker(['inspect', '-f', '{{.State.Pid}}', 'berth-test-cpput'])).stdout.trim();
    const got = spawnSync('getfattr', ['--only-values', '-n', 'user.berth', `/proc/${pid}/root/tmp/xz/payload`], { encoding: 'utf8' });
    assert.equal(got.stdout, 'kept', got.stderr);
    // A corrupt xz body is a 400 and writes nothing.
    const bad = via('xz');
    bad.fill(0x41, 12, 40);
    const r = await d.api('PUT', '/containers/berth-test-cpput/archive?path=/tmp', bad, { 'Content-Type': 'application/x-tar' });
    assert.equal(r.status, 400, r.body);
  } finally {
    await d.docker(['rm', '-f', 'berth-test-cpput']);
  }
});
