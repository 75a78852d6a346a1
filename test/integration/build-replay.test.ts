// The builder's replay memo (src/build/replay-memo.ts): a rebuild of the same context bytes and
// options is answered without extracting the context, and says and makes exactly what a cached
// rebuild says and makes; anything it depended on changing (a file, an option, the FROM tag,
// the cache) makes it build again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, type RunResult } from '../support/daemon.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-build-replay-');
const ENV = { DOCKER_BUILDKIT: '0' };
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function build(args: string[]): Promise<RunResult> {
  return d.docker(['build', ...args], { env: ENV, timeoutMs: 120_000 });
}

const replays = (): number => d.log.split('\n').filter((l) => l.includes('build replayed')).length;

async function imageId(ref: string): Promise<string> {
  const r = await d.api('GET', `/images/${ref}/json`);
  assert.equal(r.status, 200, r.body);
  return (r.json as { Id: string }).Id;
}

test('a rebuild of the same context is replayed, with the output and image of a cached rebuild', async () => {
  const ctx = context({
    'a.txt': 'alpha\n',
    Dockerfile: 'FROM busybox:latest\nARG V=1\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\nCMD ["cat", "/b.txt"]\n',
  });
  const first = await build(['-t', 'berth-test-replay:1', ctx]);
  assert.equal(first.code, 0, first.stderr);
  const n0 = replays();
  // The first rebuild walks the steps (all cached) and records what it said; the next replays it.
  const cached = await build(['-t', 'berth-test-replay:1', ctx]);
  assert.equal(cached.code, 0, cached.stderr);
  assert.equal(replays(), n0);
  const replayed = await build(['-t', 'berth-test-replay:1', '-t', 'berth-test-replay:2', ctx]);
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.equal(replays(), n0 + 1, 'the identical rebuild is replayed');
  assert.equal(replayed.stdout, cached.stdout + 'Successfully tagged berth-test-replay:2\n');
  assert.equal(await imageId('berth-test-replay:2'), await imageId('berth-test-replay:1'));
  // -q replays too, and prints the id.
  const q = await build(['-q', ctx]);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout.trim(), await imageId('berth-test-replay:1'));
  assert.equal(replays(), n0 + 2);
  // --no-cache never replays: every step runs.
  const nc = await build(['--no-cache', '-q', ctx]);
  assert.equal(nc.code, 0, nc.stderr);
  assert.equal(replays(), n0 + 2);
  assert.notEqual(nc.stdout.trim(), q.stdout.trim());
  // After it, the cache names the --no-cache build's steps: a replay gives that image, as a cached rebuild would.
  const after = await build(['-q', ctx]);
  assert.equal(after.stdout.trim(), nc.stdout.trim());
  assert.equal(replays(), n0 + 3);
  const r = await d.docker(['run', '--rm', after.stdout.trim()]);
  assert.equal(r.stdout, 'alpha\n');
});

test('what a replay depends on: a changed file, option, FROM tag or pruned cache builds again', async () => {
  const ctx = context({ 'a.txt': 'one\n', Dockerfile: 'FROM berth-test-base\nCOPY a.txt /a.txt\nCMD ["cat", "/a.txt"]\n' });
  assert.equal((await d.docker(['tag', 'busybox:latest', 'berth-test-base'])).code, 0);
  try {
    const q = async (...extra: string[]): Promise<string> => {
      const r = await build(['-q', ...extra, ctx]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const id1 = await q();
    assert.equal(await q(), id1);
    let n = replays();
    assert.equal(await q(), id1);
    assert.equal(replays(), n + 1);
    // An option that changes the result (a label) is another build.
    const labelled = await q('--label', 'x=y');
    assert.notEqual(labelled, id1);
    // A changed file.
    writeFileSync(join(ctx, 'a.txt'), 'two\n');
    n = replays();
    const id2 = await q();
    assert.notEqual(id2, id1);
    assert.equal(replays(), n);
    assert.equal((await d.docker(['run', '--rm', id2])).stdout, 'two\n');
    assert.equal(await q(), id2);
    assert.equal(replays(), n + 1);
    // The FROM tag now names another image: the build follows it.
    const other = context({ Dockerfile: 'FROM busybox:latest\nRUN echo other > /other\n' });
    const otherId = (await build(['-q', other])).stdout.trim();
    assert.equal((await d.docker(['tag', otherId, 'berth-test-base'])).code, 0);
    n = replays();
    const id3 = await q();
    assert.notEqual(id3, id2);
    assert.equal(replays(), n, 'not replayed after the FROM tag moved');
    assert.equal((await d.docker(['run', '--rm', id3, 'cat', '/other', '/a.txt'])).stdout, 'other\ntwo\n');
    // builder prune: the cache is gone, so is the replay.
    assert.equal((await d.docker(['builder', 'prune', '-af'])).code, 0);
    n = replays();
    const built = await build([ctx]);
    assert.equal(built.code, 0, built.stderr);
    assert.doesNotMatch(built.stdout, /Using cache/);
    assert.equal(replays(), n);
  } finally {
    await d.docker(['rmi', '-f', 'berth-test-base']);
  }
});
