import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAEMON_ERROR_CODE } from '../../../client/index.ts';
import { ConflictError, NotFoundError } from '../../../lib/index.ts';
import { fakeClient } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const daemon = { code: DAEMON_ERROR_CODE };
const missing = (id: string): NotFoundError => new NotFoundError(`No such container: ${id}`, daemon);

test('stop/restart pass -t and -s; print names in argument order', async () => {
  const seen: string[] = [];
  const client = fakeClient({
    containers: {
      stop: async (id, o) => { seen.push(`stop ${id} ${JSON.stringify(o)}`); },
      restart: async (id, o) => { seen.push(`restart ${id} ${JSON.stringify(o)}`); },
    },
  });
  const r = await runTest(['stop', '-t', '3', '-s', 'SIGINT', 'a', 'b'], { client });
  assert.equal(r.out, 'a\nb\n');
  const r2 = await runTest(['container', 'restart', '--time', '0', 'c'], { client });
  assert.equal(r2.out, 'c\n');
  assert.equal(r2.err, 'Flag --time has been deprecated, use --timeout instead\n');
  assert.deepEqual(seen, ['stop a {"timeout":3,"signal":"SIGINT"}', 'stop b {"timeout":3,"signal":"SIGINT"}', 'restart c {"timeout":0}']);
  const bad = await runTest(['stop', '-t', 'soon', 'a'], { client });
  assert.equal(bad.code, 125);
  assert.match(bad.err, /^invalid argument "soon" for "-t, --timeout" flag/);
});

test('kill, pause, unpause aggregate errors', async () => {
  const client = fakeClient({
    containers: {
      kill: async (id, sig) => { if (id === 'x') throw missing(id); assert.equal(sig, 'HUP'); },
      pause: async (id) => { if (id === 'p') throw new ConflictError(`Container ${id} is not running`, daemon); },
      unpause: async () => {},
    },
  });
  const r = await runTest(['kill', '-s', 'HUP', 'a', 'x', 'b'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.err, 'Error response from daemon: No such container: x\n');
  const p = await runTest(['pause', 'p', 'q'], { client });
  assert.equal(p.out, 'q\n');
  assert.equal(p.err, 'Error response from daemon: Container p is not running\n');
  assert.equal((await runTest(['unpause', 'q'], { client })).out, 'q\n');
});

test('rm -f reports missing containers without failing', async () => {
  const seen: unknown[] = [];
  const client = fakeClient({ containers: { remove: async (id, o) => { seen.push(o); if (id === 'gone') throw missing(id); } } });
  const plain = await runTest(['rm', 'a', 'gone'], { client });
  assert.equal(plain.code, 1);
  assert.equal(plain.err, 'Error response from daemon: No such container: gone\n');
  const forced = await runTest(['rm', '-fv', 'a', 'gone'], { client });
  assert.equal(forced.code, 0);
  assert.equal(forced.out, 'a\n');
  assert.equal(forced.err, 'Error response from daemon: No such container: gone\n');
  assert.deepEqual(seen.at(-1), { force: true, volumes: true, link: false });
});

test('rename, wait and top', async () => {
  const client = fakeClient({
    containers: {
      rename: async (id, name) => { assert.deepEqual([id, name], ['old', 'new']); },
      wait: async (id) => (id === 'x' ? Promise.reject(missing(id)) : { StatusCode: id === 'a' ? 0 : 137 }),
      top: async (_id, ps) => {
        assert.equal(ps, 'aux');
        return { Titles: ['UID', 'PID', 'CMD'], Processes: [['root', '1', 'sleep 100']] };
      },
    },
  });
  assert.equal((await runTest(['rename', 'old', 'new'], { client })).code, 0);
  const w = await runTest(['wait', 'a', 'b', 'x'], { client });
  assert.equal(w.out, '0\n137\n');
  assert.equal(w.code, 1);
  assert.equal(w.err, 'Error response from daemon: No such container: x\n');
  assert.equal((await runTest(['top', 'c', 'aux'], { client })).out,
    'UID                 PID                 CMD\nroot                1                   sleep 100\n');
});

test('start without -a prints names and lists failures', async () => {
  const client = fakeClient({ containers: { start: async (id) => { if (id === 'bad') throw missing(id); } } });
  const r = await runTest(['start', 'a', 'bad', 'b'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a\nb\n');
  assert.equal(r.err, 'Error response from daemon: No such container: bad\nError: failed to start containers: bad\n');
  assert.equal((await runTest(['start', '-a', 'a', 'b'], { client })).err, 'you cannot start and attach multiple containers at once\n');
});
