// The Engine API against a real berthd: system endpoints, and bad input answered with
// Docker's status codes and wording while the daemon keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { TestDaemon } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

test('/_ping answers GET and HEAD with the API version header', async () => {
  const g = await d.api('GET', '/_ping');
  assert.equal(g.status, 200);
  assert.equal(g.body, 'OK');
  assert.equal(g.headers['api-version'], '1.50');
  const h = await d.api('HEAD', '/_ping');
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.equal((await d.api('GET', '/v1.24/_ping')).status, 200);
});

test('/version and /info report real figures', async () => {
  const v = (await d.api('GET', '/v1.50/version')).json as Record<string, unknown>;
  assert.equal(v.ApiVersion, '1.50');
  assert.equal(v.MinAPIVersion, '1.24');
  assert.equal(v.Os, 'linux');
  const i = (await d.api('GET', '/info')).json as Record<string, unknown>;
  assert.equal(i.Driver, 'overlay2');
  assert.equal(i.DockerRootDir, d.dataRoot);
  assert.ok((i.NCPU as number) >= 1);
  assert.ok((i.MemTotal as number) > 0);
  assert.equal(i.Images, 1);
});

test('API versions outside 1.24..1.50 are refused with Docker\'s wording', async () => {
  const old = await d.api('GET', '/v1.12/version');
  assert.equal(old.status, 400);
  assert.match((old.json as { message: string }).message, /client version 1.12 is too old/);
  const neu = await d.api('GET', '/v1.99/version');
  assert.equal(neu.status, 400);
  assert.match((neu.json as { message: string }).message, /is too new/);
});

test('malformed JSON is a 400 with a message', async () => {
  const r = await d.api('POST', '/containers/create', '{"Image": "busybox", ');
  assert.equal(r.status, 400);
  assert.match((r.json as { message: string }).message, /invalid JSON/);
});

test('a missing image is 404 "No such image", as the docker CLI expects before pulling', async () => {
  const r = await d.api('POST', '/containers/create', { Image: 'nosuchimage', Cmd: ['true'] });
  assert.equal(r.status, 404);
  assert.equal((r.json as { message: string }).message, 'No such image: nosuchimage:latest');
});

test('a name in use is a 409', async () => {
  const a = await d.api('POST', '/containers/create?name=berth-test-dup', { Image: 'busybox', Cmd: ['true'] });
  assert.equal(a.status, 201);
  const b = await d.api('POST', '/containers/create?name=berth-test-dup', { Image: 'busybox', Cmd: ['true'] });
  assert.equal(b.status, 409);
  assert.match((b.json as { message: string }).message, /The container name "\/berth-test-dup" is already in use by container/);
  await d.api('DELETE', '/containers/berth-test-dup');
});

test('invalid restart policy, health option and signal are 400s', async () => {
  const rp = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'sometimes' } } });
  assert.equal(rp.status, 400);
  assert.match((rp.json as { message: string }).message, /invalid restart policy/);
  const hc = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], Healthcheck: { Test: ['CMD', 'true'], Interval: 10 } });
  assert.equal(hc.status, 400);
  assert.match((hc.json as { message: string }).message, /Interval in Healthcheck cannot be less than 1ms/);
  const c = await d.api('POST', '/containers/create?name=berth-test-sig', { Image: 'busybox', Cmd: ['sleep', '30'] });
  assert.equal(c.status, 201);
  assert.equal((await d.api('POST', '/containers/berth-test-sig/start')).status, 204);
  const k = await d.api('POST', '/containers/berth-test-sig/kill?signal=SIGNOPE');
  assert.equal(k.status, 400);
  assert.match((k.json as { message: string }).message, /Invalid signal: SIGNOPE/);
  assert.equal((await d.api('DELETE', '/containers/berth-test-sig?force=1')).status, 204);
});

test('exec in a stopped container is a 409; attach to an exited one is a 409', async () => {
  const c = await d.api('POST', '/containers/create?name=berth-test-stopped', { Image: 'busybox', Cmd: ['true'] });
  const id = (c.json as { Id: string }).Id;
  const e = await d.api('POST', `/containers/${id}/exec`, { Cmd: ['ls'] });
  assert.equal(e.status, 409);
  assert.match((e.json as { message: string }).message, /is not running/);
  await d.api('POST', `/containers/${id}/start`);
  await d.api('POST', `/containers/${id}/wait`);
  const a = await d.api('POST', `/containers/${id}/attach?stream=1&stdout=1`);
  assert.equal(a.status, 409);
  assert.match((a.json as { message: string }).message, /You cannot attach to a stopped container/);
  await d.api('DELETE', `/containers/${id}`);
});

test('unknown ids are 404; an ambiguous prefix is refused', async () => {
  const r = await d.api('GET', '/containers/nosuchcontainer/json');
  assert.equal(r.status, 404);
  assert.equal((r.json as { message: string }).message, 'No such container: nosuchcontainer');
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })).json as { Id: string }).Id);
  // With 20 random ids, some single hex digit starts at least two of them.
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id[0]!, (counts.get(id[0]!) ?? 0) + 1);
  const prefix = [...counts].find(([, n]) => n > 1)![0];
  const amb = await d.api('GET', `/containers/${prefix}/json`);
  assert.equal(amb.status, 400);
  assert.match((amb.json as { message: string }).message, /multiple IDs found with provided prefix/);
  for (const id of ids) await d.api('DELETE', `/containers/${id}`);
});

test('start of a running container is 304; stop of a stopped one is 304', async () => {
  const c = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '30'] });
  const id = (c.json as { Id: string }).Id;
  assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 204);
  assert.equal((await d.api('POST', `/containers/${id}/start`)).status, 304);
  assert.equal((await d.api('POST', `/containers/${id}/stop?t=0`)).status, 204);
  assert.equal((await d.api('POST', `/containers/${id}/stop`)).status, 304);
  const rm = await d.api('DELETE', `/containers/${id}`);
  assert.equal(rm.status, 204);
});

test('removing a running container without force is a 409 with Docker\'s message', async () => {
  const c = await d.api('POST', '/containers/create?name=berth-test-running', { Image: 'busybox', Cmd: ['sleep', '30'] });
  const id = (c.json as { Id: string }).Id;
  await d.api('POST', `/containers/${id}/start`);
  const r = await d.api('DELETE', `/containers/${id}`);
  assert.equal(r.status, 409);
  assert.match((r.json as { message: string }).message, /cannot remove container "\/berth-test-running": container is running/);
  assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
});

test('a client that hangs up mid-stream leaves the daemon serving', async () => {
  const c = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', 'while true; do echo tick; sleep 0.05; done'] });
  const id = (c.json as { Id: string }).Id;
  await d.api('POST', `/containers/${id}/start`);
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: d.socket, path: `/containers/${id}/logs?follow=1&stdout=1`, method: 'GET' }, (res) => {
      res.once('data', () => { req.destroy(); resolve(); });
    });
    req.on('error', (e) => { if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e); });
    req.end();
  });
  const w = request({ socketPath: d.socket, path: `/containers/${id}/wait`, method: 'POST' });
  w.on('error', () => undefined);
  w.end();
  await new Promise((r) => setTimeout(r, 100));
  w.destroy();
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  assert.equal((await d.api('DELETE', `/containers/${id}?force=1`)).status, 204);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('unknown paths are 404 page not found', async () => {
  const r = await d.api('GET', '/v1.50/nosuchthing');
  assert.equal(r.status, 404);
  assert.equal((r.json as { message: string }).message, 'page not found');
});
