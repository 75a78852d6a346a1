// docker commit against a real berthd: changes (files added, changed and deleted, an opaque
// directory), --change, -m, -a, the history line, and the committed image runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

test('docker commit: a container\'s changes, deletions included, become an image that runs', async () => {
  const script = 'echo new > /added; echo changed > /etc/motd-x; rm /bin/gzip; rm -rf /var/www; mkdir /var/www; echo fresh > /var/www/only';
  const r = await d.docker(['run', '--name', 'berth-test-commit-src', 'busybox:latest', 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  const c = await d.docker(['commit', '-m', 'a message', '-a', 'someone', '-c', 'CMD ["cat", "/added"]', '-c', 'ENV COMMITTED=1', 'berth-test-commit-src', 'berth-test-committed:v1']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const out = await d.docker(['run', '--rm', 'berth-test-committed:v1']);
  assert.equal(out.stdout, 'new\n', out.stderr);
  const check = await d.docker(['run', '--rm', 'berth-test-committed:v1', 'sh', '-c', 'cat /etc/motd-x; test -e /bin/gzip && echo gzip-still-there; ls /var/www; echo $COMMITTED']);
  assert.equal(check.stdout, 'changed\nonly\n1\n', check.stderr);
  const img = (await d.api('GET', '/images/berth-test-committed:v1/json')).json as { Author: string; Comment: string; RootFS: { Layers: string[] }; Config: { Cmd: string[] } };
  assert.equal(img.Author, 'someone');
  assert.equal(img.Comment, 'a message');
  assert.equal(img.RootFS.Layers.length, 2);
  assert.deepEqual(img.Config.Cmd, ['cat', '/added']);
  const h = (await d.api('GET', '/images/berth-test-committed:v1/history')).json as { CreatedBy: string; Comment: string }[];
  assert.equal(h[0]!.CreatedBy, `sh -c ${script}`);
  assert.equal(h[0]!.Comment, 'a message');
  // A running container is paused for the copy and keeps running.
  const run = await d.docker(['run', '-d', '--name', 'berth-test-commit-live', 'busybox:latest', 'sh', '-c', 'echo live > /live; sleep 30']);
  assert.equal(run.code, 0, run.stderr);
  for (let i = 0; i < 50; i++) {
    if ((await d.docker(['exec', 'berth-test-commit-live', 'cat', '/live'])).stdout === 'live\n') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const live = await d.docker(['commit', 'berth-test-commit-live', 'berth-test-committed:live']);
  assert.equal(live.code, 0, live.stderr);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}}', 'berth-test-commit-live'])).stdout.trim(), 'running');
  assert.equal((await d.docker(['run', '--rm', 'berth-test-committed:live', 'cat', '/live'])).stdout, 'live\n');
  const bad = await d.docker(['commit', 'berth-test-no-such-container']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /No such container: berth-test-no-such-container/);
  await d.docker(['rm', '-f', 'berth-test-commit-src', 'berth-test-commit-live']);
});

test('commit of a running container: paused, its layer exports to its diffID; with --pause=false too, while it writes', async () => {
  const run = await d.docker(['run', '-d', '--name', 'berth-test-commit-busy', 'busybox:latest', 'sh', '-c',
    'mkdir /w; i=0; while true; do i=$((i+1)); echo $i > /w/counter; head -c 100000 /dev/zero > /w/blob$((i % 5)); done']);
  assert.equal(run.code, 0, run.stderr);
  const tmp = mkdtempSync('/tmp/berth-test-commit-save-');
  try {
    await new Promise((res) => setTimeout(res, 300));
    for (const [tag, args] of [['paused', []], ['nopause', ['--pause=false']]] as const) {
      const c = await d.docker(['commit', ...args, 'berth-test-commit-busy', `berth-test-committed:${tag}`]);
      assert.equal(c.code, 0, c.stderr);
      // save rebuilds the layer tar from the files and checks it against the diffID.
      const out = join(tmp, `${tag}.tar`);
      const s = await d.docker(['save', '-o', out, `berth-test-committed:${tag}`]);
      assert.equal(s.code, 0, `${tag}: ${s.stderr}`);
      assert.ok(statSync(out).size > 100000, tag);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await d.docker(['rm', '-f', 'berth-test-commit-busy']);
    await d.docker(['rmi', 'berth-test-committed:paused', 'berth-test-committed:nopause']);
  }
});
