// The /events stream carries every container event Docker emits, with Docker's attributes
// (moby daemon/events.go LogContainerEventWithAttributes: the container's labels, image,
// name, plus per-action ones: exitCode and execDuration on die, signal on kill, oldName on
// rename, execID on exec_*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { TestDaemon, eventually } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

interface Ev { Type: string; Action: string; status?: string; id?: string; from?: string; Actor: { ID: string; Attributes: Record<string, string> }; time: number; timeNano: number }

function subscribe(query = ''): { events: Ev[]; stop: () => void } {
  const events: Ev[] = [];
  const req = request({ socketPath: d.socket, path: `/events${query}` }, (res) => {
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, i)) as Ev); buf = buf.slice(i + 1); }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy() };
}

test('the lifecycle of a container, event by event, with Docker\'s attributes', async () => {
  const sub = subscribe(`?filters=${encodeURIComponent(JSON.stringify({ type: ['container'] }))}`);
  await new Promise((r) => setTimeout(r, 100));
  const name = 'berth-test-ev';
  assert.equal((await d.docker(['run', '-d', '--name', name, '-l', 'tier=web', '--health-cmd', 'true', '--health-interval', '1s',
    'busybox', 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.2; done'])).code, 0);
  assert.equal((await d.docker(['exec', name, 'sh', '-c', 'exit 4'])).code, 4);
  assert.equal((await d.docker(['pause', name])).code, 0);
  assert.equal((await d.docker(['unpause', name])).code, 0);
  assert.equal((await d.docker(['rename', name, `${name}2`])).code, 0);
  assert.equal((await d.docker(['update', '--cpu-shares', '512', `${name}2`])).code, 0);
  assert.equal((await d.docker(['kill', '-s', 'USR1', `${name}2`])).code, 0);
  await eventually(async () => (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', `${name}2`])).stdout.trim() === 'healthy', 10_000);
  assert.equal((await d.docker(['restart', '-t', '5', `${name}2`])).code, 0);
  assert.equal((await d.docker(['stop', '-t', '5', `${name}2`])).code, 0);
  assert.equal((await d.docker(['rm', `${name}2`])).code, 0);
  await eventually(() => sub.events.some((e) => e.Action === 'destroy'), 5000);
  sub.stop();

  const actions = sub.events.map((e) => e.Action.replace(/:.*/, ''));
  for (const a of ['create', 'start', 'exec_create', 'exec_start', 'exec_die', 'pause', 'unpause', 'rename', 'update', 'kill',
    'health_status', 'die', 'stop', 'restart', 'destroy']) {
    assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
  }
  const id = sub.events[0]!.Actor.ID;
  for (const e of sub.events) {
    assert.equal(e.Type, 'container');
    assert.equal(e.Actor.ID, id);
    assert.equal(e.Actor.Attributes.image, 'busybox');
    assert.equal(e.Actor.Attributes.tier, 'web', `${e.Action} carries the labels`);
    assert.equal(e.status, e.Action, 'the legacy status field');
    assert.equal(e.id, id);
    assert.equal(e.from, 'busybox');
    assert.ok(e.timeNano >= e.time * 1e9);
  }
  const byAction = (a: string): Ev[] => sub.events.filter((e) => e.Action === a || e.Action.startsWith(`${a}:`));
  assert.equal(byAction('create')[0]!.Actor.Attributes.name, name);
  const execCreate = byAction('exec_create')[0]!;
  assert.equal(execCreate.Action, 'exec_create: sh -c exit 4');
  assert.ok(execCreate.Actor.Attributes.execID);
  assert.equal(byAction('exec_start')[0]!.Action, 'exec_start: sh -c exit 4');
  const execDie = byAction('exec_die')[0]!;
  assert.equal(execDie.Actor.Attributes.exitCode, '4');
  assert.equal(execDie.Actor.Attributes.execID, execCreate.Actor.Attributes.execID);
  const rename = byAction('rename')[0]!;
  assert.equal(rename.Actor.Attributes.oldName, `/${name}`);
  assert.equal(rename.Actor.Attributes.name, `${name}2`);
  const kills = byAction('kill').map((e) => e.Actor.Attributes.signal);
  assert.ok(kills.includes('10'), `kill -s USR1 gives signal=10 (${kills.join(',')})`);
  assert.ok(kills.includes('15'), `docker stop and restart kill with SIGTERM first (${kills.join(',')})`);
  const dies = byAction('die');
  assert.ok(dies.length >= 2);
  for (const e of dies) {
    assert.equal(e.Actor.Attributes.exitCode, '0');
    assert.match(e.Actor.Attributes.execDuration!, /^\d+$/);
  }
  assert.ok(byAction('health_status').some((e) => e.Action === 'health_status: healthy'));
  // Docker's order for stop: kill, die, stop; for restart: … die, stop, start, restart.
  const seq = sub.events.map((e) => e.Action);
  const lastStop = seq.lastIndexOf('stop');
  assert.deepEqual(seq.slice(lastStop - 2, lastStop + 1).map((a) => a.replace(/:.*/, '')), ['kill', 'die', 'stop']);
  const restart = seq.indexOf('restart');
  assert.deepEqual(seq.slice(restart - 2, restart + 1), ['stop', 'start', 'restart']);
});

test('since/until replay past events; malformed filters are a 400', async () => {
  const t0 = Date.now() / 1000;
  assert.equal((await d.docker(['create', '--name', 'berth-test-ev-past', 'busybox', 'true'])).code, 0);
  const r = await d.docker(['events', '--since', String(t0 - 1), '--until', String(Date.now() / 1000 + 0.5), '--filter', 'container=berth-test-ev-past',
    '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^container create berth-test-ev-past$/m);
  const bad = await d.api('GET', '/events?filters=%7Bnot-json');
  assert.equal(bad.status, 400);
  const unknown = await d.api('GET', `/events?filters=${encodeURIComponent(JSON.stringify({ colour: ['red'] }))}`);
  assert.equal(unknown.status, 400);
  await d.docker(['rm', 'berth-test-ev-past']);
});
