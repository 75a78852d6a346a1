// cp (GET /containers/{id}/archive) and export under --userns-remap: the archives name the
// container's own owners (the host ids unshifted), as dockerd's export does; ids the
// container cannot have stay as they are. A cp into the container shifts them (PUT).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { TestDaemon, missingTools, type RunResult } from '../support/daemon.ts';

const skip = process.getuid?.() !== 0 ? 'needs root' : missingTools('/usr/local/bin/docker', '/usr/bin/conmon');
if (skip) console.log(`# skipping userns archive tests: ${skip}`);

function ok(r: RunResult): string {
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** "name uid/gid" of each entry of a tar (GNU tar's listing, numeric owners). */
function owners(tar: Buffer): Map<string, string> {
  const out = spawnSync('tar', ['-tv', '--numeric-owner', '-f', '-'], { input: tar, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const m = new Map<string, string>();
  for (const line of out.stdout.trim().split('\n')) {
    const f = line.split(/\s+/);
    m.set(f[5]!.replace(/\/$/, ''), f[1]!);
  }
  return m;
}

describe('--userns-remap: cp and export show the container\'s owners', { skip }, () => {
  const d = new TestDaemon();
  const hadUser = readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.startsWith('dockremap:'));
  const subFiles = ['/etc/subuid', '/etc/subgid'];
  const saved: Record<string, string | null> = {};
  before(async () => {
    for (const f of subFiles) { try { saved[f] = readFileSync(f, 'utf8'); } catch { saved[f] = null; } }
    chmodSync(d.dir, 0o711);
    d.extraArgs = ['--userns-remap', 'default'];
    await d.start();
    await d.importBusybox();
  });
  after(async () => {
    await d.docker(['rm', '-f', 'berth-test-uarch']);
    await d.stop();
    if (!hadUser) {
      spawnSync('userdel', ['dockremap'], { stdio: 'ignore' });
      for (const f of subFiles) {
        if (saved[f] === null) rmSync(f, { force: true });
        else writeFileSync(f, saved[f]!);
      }
    }
  });

  test('GET archive of a running and a stopped container, and export: container ids', async () => {
    ok(await d.docker(['run', '-d', '--name', 'berth-test-uarch', 'busybox', 'sh', '-c',
      'mkdir /d && echo hi > /d/f && chown 5:7 /d/f && chown 33:33 /d && touch /ready && exec sleep 600']));
    for (let i = 0; (await d.docker(['exec', 'berth-test-uarch', 'test', '-f', '/ready'])).code !== 0; i++) {
      assert.ok(i < 100, 'the container did not get ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const raw = (args: string[]): Buffer => {
      const r = spawnSync('/usr/local/bin/docker', ['-H', `unix://${d.socket}`, ...args], { maxBuffer: 1 << 28 });
      assert.equal(r.status, 0, String(r.stderr));
      return r.stdout;
    };
    const getRaw = async (path: string): Promise<Buffer> => raw(['cp', `berth-test-uarch:${path}`, '-']);
    let m = owners(await getRaw('/d'));
    assert.equal(m.get('d'), '33/33');
    assert.equal(m.get('d/f'), '5/7');
    m = owners(await getRaw('/bin/sh'));
    assert.equal(m.get('sh'), '0/0');
    ok(await d.docker(['stop', '-t', '0', 'berth-test-uarch']));
    m = owners(await getRaw('/d'));
    assert.equal(m.get('d/f'), '5/7', 'stopped');
    m = owners(raw(['export', 'berth-test-uarch']));
    assert.equal(m.get('./d/f') ?? m.get('d/f'), '5/7');
    assert.equal(m.get('./bin/busybox') ?? m.get('bin/busybox'), '0/0');
  });
});
