import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTest } from './testing/test-context.ts';
import { fakeClient } from './testing/fake-client.ts';

test('argument count errors are docker\'s, exit 1', async () => {
  const r = await runTest(['stop']);
  assert.equal(r.code, 1);
  assert.equal(r.err, "berth: 'berth stop' requires at least 1 argument\n\nUsage:  berth stop [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth stop --help' for more information\n");
  assert.match((await runTest(['ps', 'x'])).err, /^berth: 'berth ps' accepts no arguments\n/);
  assert.match((await runTest(['rename', 'a'])).err, /^berth: 'berth rename' requires 2 arguments\n/);
  assert.match((await runTest(['images', 'a', 'b'])).err, /^berth: 'berth images' requires at most 1 argument\n/);
  assert.match((await runTest(['container', 'ls', 'x'])).err, /^berth: 'berth container ls' accepts no arguments\n/);
});

test('flag errors are docker\'s, exit 125', async () => {
  const r = await runTest(['ps', '--foo']);
  assert.equal(r.code, 125);
  assert.equal(r.err, "unknown flag: --foo\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  assert.match((await runTest(['ps', '-z'])).err, /^unknown shorthand flag: 'z' in -z\n/);
  assert.match((await runTest(['ps', '--last'])).err, /^flag needs an argument: --last\n/);
  assert.match((await runTest(['container', 'ls', '--foo'])).err, /Usage: {2}berth container ls \[OPTIONS\]/);
  const bad = await runTest(['ps', '-n', 'x']);
  assert.equal(bad.code, 125);
  assert.match(bad.err, /^invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax\n/);
});

test('unknown commands', async () => {
  const r = await runTest(['foo']);
  assert.equal(r.code, 1);
  assert.equal(r.err, "berth: unknown command: berth foo\n\nRun 'berth --help' for more information\n");
  assert.match((await runTest(['container', 'foo'])).err, /^berth: unknown command: berth container foo\n\nUsage: {2}berth container COMMAND/);
});

test('-H reaches the client; daemon errors get docker\'s prefix', async () => {
  const client = fakeClient({
    containers: {
      stop: async (id) => {
        if (id === 'b') throw Object.assign(new Error('No such container: b'), { code: 'BERTH_DAEMON_RESPONSE', kind: 'not-found' });
      },
    },
  });
  const r = await runTest(['-H', 'unix:///x.sock', 'stop', 'a', 'b', 'c'], { client });
  assert.deepEqual(r.hosts, ['unix:///x.sock']);
  assert.equal(r.code, 1);
  assert.equal(r.out, 'a\nc\n');
  assert.equal(r.err, 'Error response from daemon: No such container: b\n');
});

test('Go-style boolean flag values', async () => {
  let removeOpts: unknown;
  const client = fakeClient({ containers: { remove: async (_id, o) => { removeOpts = o; } } });
  await runTest(['rm', '--force=false', '--volumes=true', 'x'], { client });
  assert.deepEqual(removeOpts, { force: false, volumes: true, link: false });
});

test('--version and --help exit 0', async () => {
  const v = await runTest(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.out, 'berth version 0.1.0\n');
  const h = await runTest(['ps', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /Usage: berth ps \[OPTIONS\]/);
});

test('a group without a verb prints its help and exits 0', async () => {
  const r = await runTest(['container']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Usage: berth container COMMAND/);
  const root = await runTest([]);
  assert.equal(root.code, 0);
  assert.match(root.out, /^Usage: berth \[OPTIONS\] COMMAND/);
});
