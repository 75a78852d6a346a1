import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ContainerInspect, ExecCreateRequest } from '../../../api/types/index.ts';
import { encodeFrame, type LogsOptions } from '../../../client/index.ts';
import { fakeClient, fakeHijack } from '../../testing/fake-client.ts';
import { runTest } from '../../testing/test-context.ts';

function inspect(over: { tty?: boolean; running?: boolean; openStdin?: boolean } = {}): { value: ContainerInspect; raw: string } {
  const value = {
    Id: 'f'.repeat(64), Config: { Tty: over.tty === true, OpenStdin: over.openStdin === true },
    State: { Running: over.running !== false, Paused: false, Restarting: false },
    HostConfig: { AutoRemove: false },
  } as unknown as ContainerInspect;
  return { value, raw: JSON.stringify(value) };
}

test('logs demultiplexes stdout and stderr and passes the flags', async () => {
  let seen: LogsOptions | undefined;
  const client = fakeClient({
    containers: {
      inspect: async () => inspect(),
      logs: async (_id, o) => {
        seen = o;
        return Readable.from([Buffer.concat([encodeFrame('stdout', 'a\n'), encodeFrame('stderr', 'b\n')]).subarray(0, 5),
          Buffer.concat([encodeFrame('stdout', 'a\n'), encodeFrame('stderr', 'b\n')]).subarray(5)]);
      },
    },
  });
  const r = await runTest(['logs', '-f', '-t', '--tail', '5', '--since', '10m', '--details', 'web'], { client });
  assert.equal(r.code, 0);
  assert.equal(r.out, 'a\n');
  assert.equal(r.err, 'b\n');
  assert.equal(seen?.since, String(Date.parse('2024-05-01T11:50:00Z') / 1000));
  assert.deepEqual({ ...seen, signal: undefined, since: undefined }, {
    stdout: true, stderr: true, follow: true, tail: '5', timestamps: true, details: true, signal: undefined, since: undefined,
  });
});

test('logs of a TTY container are copied raw', async () => {
  const client = fakeClient({ containers: { inspect: async () => inspect({ tty: true }), logs: async () => Readable.from([Buffer.from('raw\r\n')]) } });
  assert.equal((await runTest(['logs', 'web'], { client })).out, 'raw\r\n');
});

test('exec: inspect, create, start hijacked, exit code from exec inspect', async () => {
  const calls: string[] = [];
  let body: ExecCreateRequest | undefined;
  let hijack: ReturnType<typeof fakeHijack> | undefined;
  const client = fakeClient({
    containers: { inspect: async () => { calls.push('inspect'); return inspect(); } },
    exec: {
      create: async (_c, b) => { calls.push('create'); body = b; return { Id: 'e1' }; },
      attach: async (id, o) => {
        calls.push(`attach ${id} tty=${o?.tty === true}`);
        hijack = fakeHijack([encodeFrame('stdout', 'in-exec\n')]);
        return hijack.conn;
      },
      inspect: async () => { calls.push('exec-inspect'); return { ExitCode: 4 } as never; },
    },
  });
  const r = await runTest(['exec', '-i', '-e', 'A=1', '-u', 'nobody', '-w', '/tmp', 'web', 'sh', '-c', 'cat; exit 4'], { client, stdin: 'data' });
  assert.equal(r.code, 4);
  assert.equal(r.out, 'in-exec\n');
  assert.deepEqual(calls, ['inspect', 'create', 'attach e1 tty=false', 'exec-inspect']);
  assert.deepEqual(body, {
    User: 'nobody', Privileged: false, Tty: false, AttachStdin: true, AttachStdout: true, AttachStderr: true,
    DetachKeys: '', Env: ['A=1'], WorkingDir: '/tmp', Cmd: ['sh', '-c', 'cat; exit 4'],
  });
  assert.equal(hijack?.written(), 'data');
});

test('exec -d starts detached', async () => {
  const calls: string[] = [];
  const client = fakeClient({
    containers: { inspect: async () => inspect() },
    exec: { create: async () => ({ Id: 'e2' }), startDetached: async (id) => { calls.push(`detached ${id}`); } },
  });
  const r = await runTest(['exec', '-d', 'web', 'sleep', '5'], { client });
  assert.equal(r.code, 0);
  assert.deepEqual(calls, ['detached e2']);
});

test('attach refuses stopped containers and returns the exit code', async () => {
  const stopped = fakeClient({ containers: { wait: async () => ({ StatusCode: 0 }), inspect: async () => inspect({ running: false }) } });
  const r = await runTest(['attach', 'web'], { client: stopped });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'You cannot attach to a stopped container, start it first\n');
  const running = fakeClient({
    containers: {
      wait: async () => ({ StatusCode: 2 }),
      inspect: async () => inspect(),
      attach: async (_id, o) => { assert.equal(o.stdin, false); return fakeHijack([encodeFrame('stdout', 'out\n')]).conn; },
    },
  });
  const a = await runTest(['attach', 'web'], { client: running });
  assert.equal(a.code, 2);
  assert.equal(a.out, 'out\n');
});

test('start -a attaches before starting', async () => {
  const calls: string[] = [];
  const client = fakeClient({
    containers: {
      inspect: async () => inspect(),
      attach: async () => { calls.push('attach'); return fakeHijack([encodeFrame('stdout', 'hi\n')]).conn; },
      wait: async () => { calls.push('wait'); return { StatusCode: 0 }; },
      start: async () => { calls.push('start'); },
    },
  });
  const r = await runTest(['start', '-a', 'web'], { client });
  assert.equal(r.code, 0);
  assert.equal(r.out, 'hi\n');
  assert.deepEqual(calls, ['attach', 'wait', 'start']);
});

test('logs rejects bad --since values like docker\'s client', async () => {
  const client = fakeClient({ containers: { inspect: async () => inspect() } });
  const r = await runTest(['logs', '--since', 'abc', 'web'], { client });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'invalid value for "since": failed to parse value as time or duration: "abc"\n');
});
