// Events other than containers': images, networks, volumes and the daemon's own (a SIGHUP
// reload of daemon.json), as `docker events` shows them, with Docker's types, actions and
// filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, eventually } from '../support/daemon.ts';

const d = new TestDaemon();
let config = '';
before(async () => {
  config = join(d.dir, 'daemon.json');
  writeFileSync(config, '{}\n');
  d.extraArgs = ['--config-file', config];
  await d.start();
  await d.importBusybox();
});
after(async () => { await d.stop(); });

async function eventsSince(since: number, filters: string[] = []): Promise<string[]> {
  const r = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), ...filters, '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean);
}

test('image, network and volume events', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  assert.equal((await d.docker(['tag', 'busybox', 'berth-test-ev:1'])).code, 0);
  assert.equal((await d.docker(['rmi', 'berth-test-ev:1'])).code, 0);
  assert.equal((await d.docker(['network', 'create', 'berth-test-evnet'])).code, 0);
  assert.equal((await d.docker(['volume', 'create', 'berth-test-evvol'])).code, 0);
  assert.equal((await d.docker(['run', '--rm', '--network', 'berth-test-evnet', '-v', 'berth-test-evvol:/data', 'busybox', 'true'])).code, 0);
  assert.equal((await d.docker(['network', 'rm', 'berth-test-evnet'])).code, 0);
  assert.equal((await d.docker(['volume', 'rm', 'berth-test-evvol'])).code, 0);
  const seen = await eventsSince(since);
  const want = [
    'image tag berth-test-ev:1', 'image untag berth-test-ev:1',
    'network create berth-test-evnet', 'network connect berth-test-evnet', 'network disconnect berth-test-evnet', 'network destroy berth-test-evnet',
  ];
  for (const w of want) assert.ok(seen.includes(w), `${w} in\n${seen.join('\n')}`);
  for (const a of ['create', 'mount', 'unmount', 'destroy']) assert.ok(seen.some((l) => l.startsWith(`volume ${a}`)), `volume ${a} in\n${seen.join('\n')}`);
  // Filters by type and by network name.
  const nets = await eventsSince(since, ['--filter', 'type=network', '--filter', 'network=berth-test-evnet']);
  assert.deepEqual(nets.map((l) => l.split(' ')[1]), ['create', 'connect', 'disconnect', 'destroy']);
});

test('resizing a TTY container emits resize with its height and width', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await d.docker(['run', '-d', '-t', '--name', 'berth-test-rs', 'busybox', 'sleep', '60']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.api('POST', '/containers/berth-test-rs/resize?h=30&w=100')).status, 200);
  const ev = await eventsSince(since, ['--filter', 'event=resize']);
  assert.equal(ev.length, 1, ev.join('\n'));
  const raw = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=resize', '--format', '{{.Actor.Attributes.height}}x{{.Actor.Attributes.width}}']);
  assert.equal(raw.stdout.trim(), '30x100');
  await d.docker(['rm', '-f', 'berth-test-rs']);
});

test('a SIGHUP reloads daemon.json and emits a daemon reload event; a broken file changes nothing', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  writeFileSync(config, JSON.stringify({ 'shutdown-timeout': 3 }));
  d.proc!.kill('SIGHUP');
  const reload = await eventually(async () => (await eventsSince(since, ['--filter', 'type=daemon'])).find((l) => l.startsWith('daemon reload')), 5000, 200);
  assert.ok(reload, 'a daemon reload event');
  const r = await d.api('GET', `/events?since=${since}&until=${Math.floor(Date.now() / 1000) + 1}&filters=${encodeURIComponent('{"type":["daemon"]}')}`);
  const ev = r.body.trim().split('\n').map((l) => JSON.parse(l) as { Actor: { ID: string; Attributes: Record<string, string> } }).pop()!;
  assert.equal(ev.Actor.Attributes['shutdown-timeout'], '3');
  const info = (await d.api('GET', '/info')).json as { ID: string };
  assert.equal(ev.Actor.ID, info.ID);
  writeFileSync(config, '{ not json');
  d.proc!.kill('SIGHUP');
  await new Promise((res) => setTimeout(res, 500));
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  assert.match(d.log, /configuration reload failed/);
});
