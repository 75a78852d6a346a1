// container prune, image prune (dangling and -a) and system prune through the real docker CLI:
// what goes, what stays (running containers, images in use, labels excluded), and the report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

const ids = async (all = true): Promise<string[]> => ((await d.api('GET', `/containers/json${all ? '?all=1' : ''}`)).json as { Names: string[] }[]).map((c) => c.Names[0]!.slice(1)).sort();

test('container prune removes stopped containers only, honouring label filters', async () => {
  for (const [name, extra] of [['berth-test-p1', []], ['berth-test-p2', ['-l', 'keep=1']]] as const) {
    assert.equal((await d.docker(['run', '--name', name, ...extra, 'busybox', 'true'])).code, 0);
  }
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-prun', 'busybox', 'sleep', '300'])).code, 0);
  assert.equal((await d.docker(['create', '--name', 'berth-test-pcre', 'busybox', 'true'])).code, 0);
  const r = await d.docker(['container', 'prune', '-f', '--filter', 'label!=keep=1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n/);
  assert.match(r.stdout, /Total reclaimed space: /);
  assert.deepEqual(await ids(), ['berth-test-p2', 'berth-test-prun']);
  const bad = await d.api('POST', `/containers/prune?filters=${encodeURIComponent('{"nope":["x"]}')}`);
  assert.equal(bad.status, 400);
  await d.docker(['rm', '-f', 'berth-test-p2', 'berth-test-prun']);
});

test('image prune: dangling only by default, -a takes every unused image, images in use stay', async () => {
  assert.equal((await d.docker(['tag', 'busybox', 'berth-test-img:a'])).code, 0);
  // A dangling image: build on top of busybox, then move its tag away.
  const b1 = await d.docker(['commit', '-c', 'LABEL x=1', (await d.docker(['create', 'busybox', 'true'])).stdout.trim(), 'berth-test-dangle:1']);
  assert.equal(b1.code, 0, b1.stderr);
  const danglingId = b1.stdout.trim();
  assert.equal((await d.docker(['tag', 'busybox', 'berth-test-dangle:1'])).code, 0);
  await d.docker(['container', 'prune', '-f']);
  let r = await d.docker(['image', 'prune', '-f']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`deleted: ${danglingId}`));
  const tags = async (): Promise<string[]> => ((await d.api('GET', '/images/json')).json as { RepoTags: string[] }[]).flatMap((i) => i.RepoTags ?? []).sort();
  assert.deepEqual(await tags(), ['berth-test-dangle:1', 'berth-test-img:a', 'busybox:latest']);
  // -a: busybox is in use by a container, so it stays with all its tags.
  assert.equal((await d.docker(['run', '-d', '--name', 'berth-test-user', 'busybox', 'sleep', '300'])).code, 0);
  r = await d.docker(['image', 'prune', '-a', '-f']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await tags(), ['berth-test-dangle:1', 'berth-test-img:a', 'busybox:latest']);
  await d.docker(['rm', '-f', 'berth-test-user']);
  r = await d.docker(['system', 'prune', '-a', '-f']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Total reclaimed space: [1-9]/);
  assert.deepEqual(await tags(), []);
});
