// kill -9 berthd while containers run, start it again: they still run, their logs kept
// growing, stop/kill/exec/logs/attach work on them, and one that exited meanwhile shows
// its exit code and gets its restart policy applied.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, eventually, sleep } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

async function lineCount(name: string): Promise<number> {
  const r = await d.docker(['logs', name]);
  return r.stdout.split('\n').filter((l) => l.startsWith('tick')).length;
}

test('containers survive kill -9 of berthd and are managed again after restart', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-ticker', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-short', 'busybox', 'sh', '-c', 'sleep 1; exit 7'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-restarts', '--restart', 'on-failure:1', 'busybox', 'sh', '-c', 'sleep 1; exit 3'])).code, 0);
  assert.equal((await d.docker(['run', '-d', '-i', '--name', 'berth-test-cat', 'busybox', 'cat'])).code, 0);
  await sleep(300);
  const before = await lineCount('berth-test-ticker');
  const pid = Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', 'berth-test-ticker'])).stdout.trim());
  assert.ok(pid > 0);
  const shortId = (await d.docker(['inspect', '-f', '{{.Id}}', 'berth-test-short'])).stdout.trim();
  // conmon's exit command runs crun from a read-only binding in the exec root.
  const binding = join(d.execRoot, 'bin', 'crun');
  assert.match(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(` ${binding} ro[, ]`));

  await d.kill9();
  await sleep(2000); // short exits and restarts-to-be happen while berthd is down
  process.kill(pid, 0); // still running (throws if not)
  // The monitor of the container that exited deleted its runtime state with no berthd around.
  assert.equal(existsSync(join(d.execRoot, 'runtime', 'crun', shortId)), false, 'runtime state deleted by the exit command');
  await d.start();

  const ps = await d.docker(['ps', '--format', '{{.Names}} {{.State}}']);
  assert.match(ps.stdout, /berth-test-ticker running/);
  const after = await lineCount('berth-test-ticker');
  assert.ok(after > before + 5, `logs grew while berthd was down (${before} -> ${after})`);

  const short = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'berth-test-short']);
  assert.equal(short.stdout.trim(), 'exited 7');

  // The restart policy acted on the container that exited while berthd was down.
  const restarted = await eventually(async () => {
    const r = await d.docker(['inspect', '-f', '{{.RestartCount}}', 'berth-test-restarts']);
    return Number(r.stdout.trim()) >= 1;
  }, 10_000);
  assert.ok(restarted, 'restart policy applied after the daemon restart');

  const ex = await d.docker(['exec', 'berth-test-ticker', 'sh', '-c', 'echo inside; exit 4']);
  assert.equal(ex.code, 4);
  assert.equal(ex.stdout.trim(), 'inside');

  // attach to the re-adopted container: stdin goes in, output comes back.
  const at = await d.docker(['attach', 'berth-test-cat'], { input: 'hello after restart\n', timeoutMs: 10_000 });
  assert.match(at.stdout, /hello after restart/);

  const stop = await d.docker(['stop', '-t', '1', 'berth-test-ticker']);
  assert.equal(stop.code, 0);
  const st = await d.docker(['inspect', '-f', '{{.State.Status}}', 'berth-test-ticker']);
  assert.equal(st.stdout.trim(), 'exited');
  assert.throws(() => process.kill(pid, 0));
  assert.equal((await d.docker(['kill', 'berth-test-cat'])).code, 0);
});
