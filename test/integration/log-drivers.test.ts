// Log drivers against a real berthd, driven by the real docker CLI 28 (so this is also the
// CLI compatibility test for --log-driver, --log-opt and logs): json-file rotation (sizes
// bounded by max-size × max-file, `docker logs` across rotated and gzipped files, follow
// across a rotation), local, none, syslog against Debian's rsyslogd and small listeners,
// gelf (UDP chunked+gzip, TCP NUL-framed) and fluentd (forward/msgpack) against listeners
// written here, destinations that are down, unknown drivers and options, berthd killed -9
// while a container logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { gunzipSync, unzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { TestDaemon, eventually, sleep } from '../support/daemon.ts';
import { decodeMsgpack } from '../../src/logdriver/msgpack.ts';

const d = new TestDaemon();
const cleanups: (() => void | Promise<void>)[] = [];

before(async () => {
  await d.start();
  await d.importBusybox();
});
after(async () => {
  for (const f of cleanups.reverse()) await Promise.resolve(f()).catch(() => undefined);
  await d.stop();
});

async function ok(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await d.docker(args, { timeoutMs });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function inspect(name: string): Promise<{ Id: string; LogPath: string; State: { Running: boolean; Status: string }; HostConfig: { LogConfig: { Type: string; Config: Record<string, string> } } }> {
  return JSON.parse(await ok(['inspect', name]))[0];
}

const seq = (prefix: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
const loop = (prefix: string, n: number): string => `i=1; while [ $i -le ${n} ]; do echo ${prefix}$i; i=$((i+1)); done`;

/** Asserts that `lines` is a contiguous run prefix{k}…prefix{n}, ending with the last. */
function assertTail(lines: string[], prefix: string, n: number): number {
  assert.ok(lines.length > 0, 'no lines');
  const first = Number(lines[0]!.slice(prefix.length));
  assert.deepEqual(lines, seq(prefix, first, n));
  return first;
}

test('json-file: Docker JSON lines, rotation bounded by max-size × max-file, docker logs across the rotated files', async () => {
  const name = 'berth-test-logs-json';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', loop('json-line-', 3000)]);
  const c = await inspect(name);
  assert.equal(c.HostConfig.LogConfig.Type, 'json-file');
  assert.deepEqual(c.HostConfig.LogConfig.Config, { 'max-size': '10k', 'max-file': '3' });
  assert.ok(c.LogPath.endsWith(`${c.Id}-json.log`), c.LogPath);
  const dir = dirname(c.LogPath);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${c.Id}-json.log`)).sort();
  assert.deepEqual(files, [`${c.Id}-json.log`, `${c.Id}-json.log.1`, `${c.Id}-json.log.2`]);
  let total = 0;
  for (const f of files) {
    const size = statSync(join(dir, f)).size;
    assert.ok(size <= 10_000, `${f} is ${size} bytes`);
    total += size;
  }
  assert.ok(total <= 30_000 && total > 20_000, `total ${total}`);
  // Docker's format, line by line.
  const first = readFileSync(c.LogPath, 'utf8').split('\n')[0]!;
  const e = JSON.parse(first);
  assert.deepEqual(Object.keys(e), ['log', 'stream', 'time']);
  assert.match(e.log, /^json-line-\d+\n$/);
  assert.equal(e.stream, 'stdout');
  assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  const logs = (await ok(['logs', name])).trim().split('\n');
  const from = assertTail(logs, 'json-line-', 3000);
  assert.ok(from > 1, 'old lines were rotated away');
  assert.deepEqual((await ok(['logs', '--tail', '5', name])).trim().split('\n'), seq('json-line-', 2996, 3000));
  const stamped = (await ok(['logs', '--tail', '1', '-t', name])).trim();
  assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z json-line-3000$/);
});

test('json-file compress: rotated files are gzipped and still read by docker logs; stderr is kept apart', async () => {
  const name = 'berth-test-logs-gz';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-opt', 'max-size=8k', '--log-opt', 'max-file=4', '--log-opt', 'compress=true', 'busybox', 'sh', '-c', `${loop('gz-', 2000)}; echo to-stderr >&2`]);
  const c = await inspect(name);
  const dir = dirname(c.LogPath);
  await eventually(() => {
    const files = readdirSync(dir).filter((f) => f.startsWith(`${c.Id}-json.log`)).sort();
    assert.deepEqual(files, [`${c.Id}-json.log`, `${c.Id}-json.log.1.gz`, `${c.Id}-json.log.2.gz`, `${c.Id}-json.log.3.gz`]);
  });
  const line = gunzipSync(readFileSync(`${c.LogPath}.1.gz`)).toString().split('\n')[0]!;
  assert.match(JSON.parse(line).log, /^gz-\d+\n$/);
  const out = await d.docker(['logs', name]);
  assertTail(out.stdout.trim().split('\n'), 'gz-', 2000);
  assert.equal(out.stderr, 'to-stderr\n');
});

test('json-file follow: docker logs -f carries on across rotations until the container exits', async () => {
  const name = 'berth-test-logs-follow';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '-d', '--name', name, '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', `sleep 1; i=1; while [ $i -le 400 ]; do echo follow-$i; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.05; done`]);
  const out = await ok(['logs', '-f', name], 60_000);
  assert.deepEqual(out.trim().split('\n'), seq('follow-', 1, 400));
  const c = await inspect(name);
  for (const f of readdirSync(dirname(c.LogPath)).filter((f) => f.startsWith(`${c.Id}-json.log`))) {
    assert.ok(statSync(join(dirname(c.LogPath), f)).size <= 2000);
  }
});
