// Image import, tag, inspect and removal against a real berthd, including bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { TestDaemon, ensureBusyboxTar } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); });
after(async () => { await d.stop(); });

test('import of a plain and a gzipped rootfs gives the same layer (diffID of the uncompressed tar)', async () => {
  const tar = readFileSync(ensureBusyboxTar());
  const plain = await d.api('POST', '/images/create?fromSrc=-&repo=berth-test-plain&tag=v1', tar, { 'Content-Type': 'application/x-tar' });
  assert.equal(plain.status, 200, plain.body);
  const gz = await d.api('POST', '/images/create?fromSrc=-&repo=berth-test-gz&tag=v1', gzipSync(tar), { 'Content-Type': 'application/x-tar' });
  assert.equal(gz.status, 200, gz.body);
  const a = (await d.api('GET', '/images/berth-test-plain:v1/json')).json as { RootFS: { Layers: string[] } };
  const b = (await d.api('GET', '/images/berth-test-gz:v1/json')).json as { RootFS: { Layers: string[] } };
  const want = 'sha256:' + createHash('sha256').update(tar).digest('hex');
  assert.deepEqual(a.RootFS.Layers, [want]);
  assert.deepEqual(b.RootFS.Layers, [want]);
});

test('a body that is not a tar is a 400 and leaves nothing behind', async () => {
  const before = ((await d.api('GET', '/images/json')).json as unknown[]).length;
  const r = await d.api('POST', '/images/create?fromSrc=-&repo=berth-test-bad', 'this is not a tarball at all', { 'Content-Type': 'application/x-tar' });
  assert.equal(r.status, 400);
  assert.match((r.json as { message: string }).message, /invalid layer tar/);
  assert.equal(((await d.api('GET', '/images/json')).json as unknown[]).length, before);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('bad references and unknown images get Docker\'s errors', async () => {
  const tar = readFileSync(ensureBusyboxTar());
  const r = await d.api('POST', '/images/create?fromSrc=-&repo=Bad_Name!', tar);
  assert.equal(r.status, 400);
  assert.match((r.json as { message: string }).message, /invalid reference format/);
  const t = await d.api('POST', '/images/nosuchimage/tag?repo=x&tag=y');
  assert.equal(t.status, 404);
  // dockerd names the normalized reference.
  assert.equal((t.json as { message: string }).message, 'No such image: nosuchimage:latest');
  // No registry is reachable from the test machines: a pull from Docker Hub is a clear 503.
  const p = await d.api('POST', '/images/create?fromImage=busybox&tag=latest');
  assert.equal(p.status, 503);
  assert.match((p.json as { message: string }).message, /registry-1\.docker\.io/);
});

test('rmi by id with two tags needs force; layers are freed with the last image', async () => {
  const img = (await d.api('GET', '/images/berth-test-plain:v1/json')).json as { Id: string };
  assert.equal((await d.api('POST', `/images/berth-test-plain:v1/tag?repo=berth-test-plain&tag=v2`)).status, 201);
  const noForce = await d.api('DELETE', `/images/${img.Id.slice(7, 19)}`);
  assert.equal(noForce.status, 409);
  assert.match((noForce.json as { message: string }).message, /must be forced/);
  const forced = await d.api('DELETE', `/images/${img.Id.slice(7, 19)}?force=1`);
  assert.equal(forced.status, 200);
  const items = forced.json as { Untagged?: string; Deleted?: string }[];
  assert.deepEqual(items.filter((i) => i.Untagged).map((i) => i.Untagged).sort(), ['berth-test-plain:v1', 'berth-test-plain:v2']);
  assert.ok(items.some((i) => i.Deleted === img.Id));
  // The gz image shares the layer: it must still run.
  const run = await d.docker(['run', '--rm', 'berth-test-gz:v1', 'echo', 'layer kept']);
  assert.equal(run.stdout, 'layer kept\n');
  await d.api('DELETE', '/images/berth-test-gz:v1');
  const layers = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.doesNotMatch(layers, new RegExp(d.dataRoot));
});
