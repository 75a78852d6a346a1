import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import type { ContainerCreateRequest } from '../../../api/types/index.ts';
import { NotFoundError, NotImplementedError, InternalError } from '../../../lib/index.ts';
import { DAEMON_ERROR_CODE, encodeFrame, type WaitCondition } from '../../../client/index.ts';
import { fakeClient, fakeHijack } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

const ID = 'c'.repeat(64);
const daemon = { code: DAEMON_ERROR_CODE };

/** A fake daemon for run: records the calls in order. */
function runClient(opts: { exit?: number; output?: Buffer[]; createError?: Error; startError?: Error } = {}) {
  const calls: string[] = [];
  let body: ContainerCreateRequest | undefined;
  let hijack: ReturnType<typeof fakeHijack> | undefined;
  const client = fakeClient({
    containers: {
      create: async (b, o) => {
        calls.push(`create${o?.name ? ` name=${o.name}` : ''}`);
        body = b;
        if (opts.createError) throw opts.createError;
        return { Id: ID, Warnings: [] };
      },
      attach: async (_id, o) => {
        calls.push(`attach stdin=${o.stdin === true} stdout=${o.stdout === true} stderr=${o.stderr === true}`);
        hijack = fakeHijack(opts.output ?? []);
        return hijack.conn;
      },
      wait: async (_id, cond?: WaitCondition) => {
        calls.push(`wait ${cond}`);
        await new Promise((r) => setTimeout(r, 20));
        return { StatusCode: opts.exit ?? 0 };
      },
      start: async () => {
        calls.push('start');
        if (opts.startError) throw opts.startError;
      },
    },
    images: {
      pull: async (image, tag) => {
        calls.push(`pull ${image}:${tag}`);
        throw new NotImplementedError(`pulling images is not supported yet: berth cannot pull ${image}:${tag}`, daemon);
      },
    },
  });
  return { client, calls, body: () => body, hijack: () => hijack };
}

test('run: create, attach, wait, start; exit code from wait; output demultiplexed', async () => {
  const f = runClient({ exit: 3, output: [encodeFrame('stdout', 'hello\n'), encodeFrame('stderr', 'oops\n')] });
  const r = await runTest(['run', 'busybox', 'sh', '-c', 'exit 3'], { client: f.client });
  assert.equal(r.code, 3);
  assert.equal(r.out, 'hello\n');
  assert.equal(r.err, 'oops\n');
  assert.deepEqual(f.calls, ['create', 'attach stdin=false stdout=true stderr=true', 'wait next-exit', 'start']);
  assert.deepEqual(f.body()?.Cmd, ['sh', '-c', 'exit 3']);
});

test('run --rm waits for removal and never deletes', async () => {
  const f = runClient();
  const r = await runTest(['run', '--rm', 'busybox', 'true'], { client: f.client });
  assert.equal(r.code, 0);
  assert.deepEqual(f.calls, ['create', 'attach stdin=false stdout=true stderr=true', 'wait removed', 'start']);
  assert.equal(f.body()?.HostConfig?.AutoRemove, true);
});

test('run -d prints the id and does not attach', async () => {
  const f = runClient();
  const r = await runTest(['run', '-d', '--name', 'web', 'busybox', 'sleep', '9'], { client: f.client });
  assert.equal(r.code, 0);
  assert.equal(r.out, `${ID}\n`);
  assert.deepEqual(f.calls, ['create name=web', 'wait next-exit', 'start']);
  assert.equal(f.body()?.AttachStdout, false);
});

test('run -i sends stdin and half-closes at EOF', async () => {
  const f = runClient({ output: [encodeFrame('stdout', 'piped\n')] });
  const r = await runTest(['run', '-i', 'busybox', 'cat'], { client: f.client, stdin: 'piped\n' });
  assert.equal(r.code, 0);
  assert.equal(f.calls[1], 'attach stdin=true stdout=true stderr=true');
  assert.equal(f.body()?.OpenStdin, true);
  assert.equal(f.body()?.StdinOnce, true);
  assert.equal(f.hijack()?.written(), 'piped\n');
  assert.equal(f.hijack()?.closedWrite(), true);
});

test('run -t without a terminal on stdin fails like docker', async () => {
  const r = await runTest(['run', '-it', 'busybox'], { client: runClient().client });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'the input device is not a TTY\n');
});

test('run with a missing image tries to pull, then exits 125', async () => {
  const f = runClient({ createError: new NotFoundError('No such image: busybox:latest', daemon) });
  const r = await runTest(['run', 'busybox'], { client: f.client });
  assert.equal(r.code, 125);
  assert.deepEqual(f.calls, ['create', 'pull docker.io/library/busybox:latest']);
  assert.equal(r.err, "Unable to find image 'busybox:latest' locally\n"
    + "berth: Error response from daemon: pulling images is not supported yet: berth cannot pull docker.io/library/busybox:latest\n\n"
    + "Run 'berth run --help' for more information\n");
});

test('run --pull=never reports the missing image', async () => {
  const f = runClient({ createError: new NotFoundError('No such image: busybox:latest', daemon) });
  const r = await runTest(['run', '--pull', 'never', 'busybox'], { client: f.client });
  assert.equal(r.code, 125);
  assert.match(r.err, /^berth: Error response from daemon: No such image: busybox:latest\n/);
});

test('run start failures: 127 not found, 126 cannot invoke, 125 otherwise', async () => {
  const cases: [string, number][] = [
    ['failed to create task: exec: "nope": executable file not found in $PATH', 127],
    ['exec /bin/x: permission denied', 126],
    ['something else broke', 125],
  ];
  for (const [msg, code] of cases) {
    const f = runClient({ startError: new InternalError(msg, daemon) });
    const r = await runTest(['run', 'busybox', 'nope'], { client: f.client });
    assert.equal(r.code, code, msg);
    assert.equal(r.err, `berth: Error response from daemon: ${msg}\n\nRun 'berth run --help' for more information\n`);
  }
});

test('run flag errors exit 125 before any API call', async () => {
  const f = runClient();
  const cases: [string[], RegExp][] = [
    [['run', '--rm', '--restart', 'always', 'busybox'], /^berth: conflicting options: cannot specify both --restart and --rm\n\nRun 'berth run --help'/],
    [['run', '--health-interval', 'x', 'busybox'], /^invalid argument "x" for "--health-interval" flag: time: invalid duration "x"\n\nUsage: {2}berth run/],
    [['run', '-m', '1q', 'busybox'], /^invalid argument "1q" for "-m, --memory" flag: invalid suffix: 'q'/],
    [['run', '-p', 'x:80', 'busybox'], /^berth: invalid hostPort: x\n/],
    [['run', '--pull', 'sometimes', 'busybox'], /^berth: invalid pull option: 'sometimes': must be one of "always", "missing" or "never"/],
    [['run', '--env-file', '/nope', 'busybox'], /^berth: open \/nope: no such file or directory/],
    [['run', '-d', '-a', 'stdout', 'busybox'], /^Conflicting options: -a and -d/],
  ];
  for (const [argv, want] of cases) {
    const r = await runTest(argv, { client: f.client });
    assert.notEqual(r.code, 0, argv.join(' '));
    assert.match(r.err, want, argv.join(' '));
  }
  assert.deepEqual(f.calls, []);
});

test('run keeps the container command after the image', async () => {
  const f = runClient();
  await runTest(['run', '--rm', 'busybox', 'ls', '-la', '--rm=false', '-e', 'X'], { client: f.client });
  assert.deepEqual(f.body()?.Cmd, ['ls', '-la', '--rm=false', '-e', 'X']);
});

test('run forwards signals to the container (--sig-proxy) and stops forwarding after', async () => {
  const signals = new EventEmitter();
  const kills: string[] = [];
  const client = fakeClient({
    containers: {
      create: async () => ({ Id: ID, Warnings: [] }),
      attach: async () => {
        setTimeout(() => signals.emit('SIGTERM'), 5);
        return fakeHijack([]).conn;
      },
      wait: async () => { await new Promise((r) => setTimeout(r, 40)); return { StatusCode: 143 }; },
      start: async () => {},
      kill: async (_id, sig) => { kills.push(sig ?? ''); },
    },
  });
  const r = await runTest(['run', 'busybox', 'sleep', '9'], { client, signals });
  assert.equal(r.code, 143);
  assert.deepEqual(kills, ['TERM']);
  assert.equal(signals.listenerCount('SIGTERM'), 0);
  const quiet = await runTest(['run', '--sig-proxy=false', 'busybox', 'sleep', '9'], { client, signals });
  assert.equal(quiet.code, 143);
  assert.deepEqual(kills, ['TERM']);
});
