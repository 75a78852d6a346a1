// Table tests for the container module's pure helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDetachKeys } from './attach.ts';
import { containerResolvConf, hostsFile } from './etc-files.ts';
import { generateName, VALID_NAME } from './names.ts';
import { humanDuration, parseFilters, statusText } from './ops/views.ts';
import { dockerStartMessage, exitCodeForStartError } from './ops/start.ts';
import { probeCommand } from './health.ts';
import { mergeConfig } from './ops/create.ts';
import { parseWaitCondition } from './ops/wait.ts';
import { initialState, type Container } from './record.ts';

test('parseDetachKeys', () => {
  const cases: [string, number[]][] = [['ctrl-p,ctrl-q', [16, 17]], ['ctrl-x', [24]], ['a,b', [97, 98]], ['ctrl-@', [0]], ['ctrl-[', [27]]];
  for (const [keys, want] of cases) assert.deepEqual([...parseDetachKeys(keys)], want, keys);
  assert.throws(() => parseDetachKeys('ctrl-'), /Unknown character/);
  assert.throws(() => parseDetachKeys('shift-a'), /Unknown character/);
});

test('hostsFile names the container and adds extra hosts', () => {
  const h = hostsFile('abc123', ['db:10.0.0.5']);
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(h, /^10\.0\.0\.5\tdb$/m);
  assert.match(h, /^127\.0\.1\.1\tabc123$/m);
});

test('containerResolvConf drops loopback resolvers and applies --dns options', () => {
  const host = 'nameserver 127.0.0.53\nsearch corp\noptions edns0\n';
  assert.equal(containerResolvConf(host, [], [], []), 'search corp\noptions edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(containerResolvConf('nameserver 10.1.1.1\n', [], [], []), 'nameserver 10.1.1.1\n');
  assert.equal(containerResolvConf(host, ['1.1.1.1'], ['a.b'], ['ndots:2']), 'nameserver 1.1.1.1\nsearch a.b\noptions ndots:2\n');
});

test('generateName gives adjective_surname and avoids taken names', () => {
  const seq = [0, 0, 0, 0, 0.5];
  let i = 0;
  const rnd = (): number => seq[i++ % seq.length]!;
  const first = generateName(() => false, rnd);
  assert.match(first, /^[a-z]+_[a-z]+$/);
  const second = generateName((n) => n === first, () => 0);
  assert.notEqual(second, first);
  assert.ok(VALID_NAME.test('web-1.a_b'));
  assert.ok(!VALID_NAME.test('-bad'));
  assert.ok(!VALID_NAME.test('a'));
});

test('humanDuration matches go-units', () => {
  const cases: [number, string][] = [[500, 'Less than a second'], [1000, '1 second'], [45_000, '45 seconds'], [60_000, 'About a minute'],
    [5 * 60_000, '5 minutes'], [60 * 60_000, 'About an hour'], [3 * 3600_000, '3 hours'], [3 * 86400_000, '3 days']];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

function fake(status: Container['state']['status'], extra: Partial<Container['state']> = {}): Container {
  return { config: { id: 'x', created: '', imageId: '', imageRef: '', imageTopLayer: null, path: 'sh', args: [], config: {}, hostConfig: {} },
    state: { ...initialState('n'), status, ...extra } };
}

test('statusText reads like docker ps', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  assert.equal(statusText(fake('created'), now), 'Created');
  assert.equal(statusText(fake('running', { startedAt: '2026-01-01T00:00:50Z' }), now), 'Up 10 seconds');
  assert.equal(statusText(fake('paused', { startedAt: '2026-01-01T00:00:00Z' }), now), 'Up About a minute (Paused)');
  assert.equal(statusText(fake('exited', { exitCode: 3, finishedAt: '2026-01-01T00:00:58Z' }), now), 'Exited (3) 2 seconds ago');
  assert.equal(statusText(fake('running', { startedAt: '2026-01-01T00:00:00Z', health: { status: 'healthy', failingStreak: 0, log: [] } }), now), 'Up About a minute (healthy)');
});

test('parseFilters accepts both JSON shapes and refuses others', () => {
  assert.deepEqual(parseFilters('{"status":["running"]}'), { status: ['running'] });
  assert.deepEqual(parseFilters('{"label":{"a=b":true}}'), { label: ['a=b'] });
  assert.deepEqual(parseFilters(undefined), {});
  assert.throws(() => parseFilters('nope'), /invalid filter/);
  assert.throws(() => parseFilters('[1]'), /invalid filter/);
});

test('start errors are worded so the docker CLI picks 127 and 126', () => {
  const nf = dockerStartMessage('OCI runtime create failed: executable file `nosuch` not found in $PATH: No such file or directory');
  assert.match(nf, /exec: "nosuch": executable file not found in \$PATH/);
  assert.equal(exitCodeForStartError(nf), 127);
  const perm = dockerStartMessage('OCI runtime create failed: open executable: Permission denied');
  assert.equal(exitCodeForStartError(perm), 126);
  assert.equal(exitCodeForStartError(dockerStartMessage('something else')), 128);
});

test('probeCommand understands CMD, CMD-SHELL and NONE', () => {
  assert.deepEqual(probeCommand(['CMD', 'true']), ['true']);
  assert.deepEqual(probeCommand(['CMD-SHELL', 'test -f /x']), ['/bin/sh', '-c', 'test -f /x']);
  assert.equal(probeCommand(['NONE']), null);
  assert.equal(probeCommand([]), null);
  assert.equal(probeCommand(undefined), null);
});

test('mergeConfig: request over image, entrypoint drops the image cmd', () => {
  const img = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Entrypoint: ['/init'], WorkingDir: '/app', User: 'www', Labels: { l: 'img' } };
  const m = mergeConfig({ Image: 'x', Env: ['A=2'], Labels: { m: 'req' } }, img);
  assert.deepEqual(m.Env, ['A=2', 'PATH=/bin']); // moby's merge: the request's first
  assert.deepEqual(m.Entrypoint, ['/init']);
  assert.deepEqual(m.Cmd, ['sh']);
  assert.equal(m.WorkingDir, '/app');
  assert.equal(m.User, 'www');
  assert.deepEqual(m.Labels, { l: 'img', m: 'req' });
  const e = mergeConfig({ Image: 'x', Entrypoint: ['echo'] }, img);
  assert.deepEqual(e.Entrypoint, ['echo']);
  assert.equal(e.Cmd, null);
  const reset = mergeConfig({ Image: 'x', Entrypoint: [''], Cmd: ['ls'] }, img);
  assert.equal(reset.Entrypoint, null);
  assert.deepEqual(reset.Cmd, ['ls']);
});

test('parseWaitCondition', () => {
  assert.equal(parseWaitCondition(undefined), 'not-running');
  assert.equal(parseWaitCondition('removed'), 'removed');
  assert.throws(() => parseWaitCondition('later'), /invalid condition/);
});

test('hostsFile: the container addresses name it; host-gateway maps to the bridge gateway', () => {
  const h = hostsFile('c1', ['gw:host-gateway', 'db:10.0.0.5'], ['10.213.0.2'], '10.213.0.1');
  assert.match(h, /^10\.213\.0\.1\tgw$/m);
  assert.match(h, /^10\.0\.0\.5\tdb$/m);
  assert.match(h, /^10\.213\.0\.2\tc1$/m);
  assert.doesNotMatch(h, /127\.0\.1\.1/);
});

test('containerResolvConf: the embedded DNS replaces the name servers, keeps search and options', () => {
  assert.equal(containerResolvConf('nameserver 10.1.1.1\nsearch corp\n', [], [], ['ndots:2'], '10.9.0.1'), 'search corp\nnameserver 10.9.0.1\noptions ndots:2\n');
});
