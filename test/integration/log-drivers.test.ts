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
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { gunzipSync, unzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { TestDaemon, sleep } from '../support/daemon.ts';
import { decodeMsgpack, encodeMsgpack, MsgpackExt } from '../../src/logdriver/msgpack.ts';
import { makeTestCerts } from '../support/tls-certs.ts';

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

/** Retries fn (an assertion) until it passes or the time is up; then its last error is thrown. */
async function retrying(fn: () => unknown, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(50);
    }
  }
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

test('json-file: 50 MiB written faster than it is shipped: docker logs returns every byte; the capture keeps little disk', async () => {
  const name = 'berth-test-logs-fast';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '-d', '--name', name, '--log-opt', 'max-size=1g', 'busybox', 'sh', '-c', 'yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 52428800']);
  assert.equal((await ok(['wait', name])).trim(), '0');
  const c = await inspect(name);
  const bytes = await new Promise<number>((resolve, reject) => {
    const p = spawn('/usr/local/bin/docker', ['-H', d.host, 'logs', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let n = 0;
    p.stdout.on('data', (b: Buffer) => { n += b.length; });
    p.on('close', (code) => (code === 0 ? resolve(n) : reject(new Error(`docker logs exited ${code}`))));
  });
  assert.equal(bytes, 52428800, 'every byte the container wrote');
  // The capture conmon writes is a buffer: the shipped part is a hole, not disk blocks.
  const capture = statSync(join(dirname(c.LogPath), 'ctr.log'));
  assert.ok(capture.blocks * 512 < 8 << 20, `capture holds ${capture.blocks * 512} bytes of disk for ${capture.size}`);
});

test('json-file compress: rotated files are gzipped and still read by docker logs; stderr is kept apart', async () => {
  const name = 'berth-test-logs-gz';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-opt', 'max-size=8k', '--log-opt', 'max-file=4', '--log-opt', 'compress=true', 'busybox', 'sh', '-c', `${loop('gz-', 2000)}; sleep 1; echo to-stderr >&2`]);
  const c = await inspect(name);
  const dir = dirname(c.LogPath);
  await retrying(() => {
    const files = readdirSync(dir).filter((f) => f.startsWith(`${c.Id}-json.log`)).sort();
    assert.deepEqual(files, [`${c.Id}-json.log`, `${c.Id}-json.log.1.gz`, `${c.Id}-json.log.2.gz`, `${c.Id}-json.log.3.gz`]);
  });
  const line = gunzipSync(readFileSync(`${c.LogPath}.1.gz`)).toString().split('\n')[0]!;
  assert.match(JSON.parse(line).log, /^gz-\d+\n$/);
  // stdout and stderr are two pipes: conmon may record a line of one before the last lines of
  // the other (under load the stderr line landed among the stdout lines that rotation then
  // dropped), so the container pauses before its stderr line.
  await retrying(async () => {
    const out = await d.docker(['logs', name]);
    assertTail(out.stdout.trim().split('\n'), 'gz-', 2000);
    assert.equal(out.stderr, 'to-stderr\n');
  });
});

test('json-file follow: docker logs -f carries on across rotations until the container exits', async () => {
  const name = 'berth-test-logs-follow';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '-d', '--name', name, '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', `sleep 3; i=1; while [ $i -le 400 ]; do echo follow-$i; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.05; done`]);
  const out = await ok(['logs', '-f', name], 60_000);
  assert.deepEqual(out.trim().split('\n'), seq('follow-', 1, 400));
  const c = await inspect(name);
  for (const f of readdirSync(dirname(c.LogPath)).filter((f) => f.startsWith(`${c.Id}-json.log`))) {
    assert.ok(statSync(join(dirname(c.LogPath), f)).size <= 2000);
  }
});

test('local: logs readable, files in the container dir, rotated and compressed by default', async () => {
  const name = 'berth-test-logs-local';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-driver', 'local', '--log-opt', 'max-size=5k', 'busybox', 'sh', '-c', loop('local-', 1000)]);
  const c = await inspect(name);
  assert.equal(c.HostConfig.LogConfig.Type, 'local');
  assert.ok(c.LogPath.endsWith('/local-logs/container.log'), c.LogPath);
  await retrying(() => assert.ok(existsSync(`${c.LogPath}.1.gz`), 'rotated file compressed'));
  assertTail((await ok(['logs', name])).trim().split('\n'), 'local-', 1000);
  assert.deepEqual((await ok(['logs', '--tail', '2', name])).trim().split('\n'), ['local-999', 'local-1000']);
});

test('none: nothing is kept and docker logs says so as Docker does', async () => {
  const name = 'berth-test-logs-none';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-driver', 'none', 'busybox', 'echo', 'hidden']);
  const c = await inspect(name);
  assert.equal(c.HostConfig.LogConfig.Type, 'none');
  assert.equal(c.LogPath, '');
  const r = await d.docker(['logs', name]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /configured logging driver does not support reading/);
});

test('unknown driver or option: 400 at create in Docker\'s words', async () => {
  let r = await d.docker(['run', '--rm', '--name', 'berth-test-logs-bad1', '--log-driver', 'berth-nope', 'busybox', 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /logger: no log driver named 'berth-nope' is registered/);
  r = await d.docker(['create', '--name', 'berth-test-logs-bad2', '--log-opt', 'bogus=1', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown log opt 'bogus' for json-file log driver/);
  r = await d.docker(['create', '--name', 'berth-test-logs-bad3', '--log-driver', 'gelf', 'busybox', 'true']);
  assert.match(r.stderr, /gelf-address is a required parameter/);
  r = await d.docker(['create', '--name', 'berth-test-logs-bad4', '--log-opt', 'max-buffer-size=1m', 'busybox', 'true']);
  assert.match(r.stderr, /max-buffer-size' is only valid with "non-blocking" mode/);
  const api = await d.api('POST', '/containers/create?name=berth-test-logs-bad5', { Image: 'busybox', Cmd: ['true'], HostConfig: { LogConfig: { Type: 'syslog', Config: { 'syslog-facility': 'nope' } } } });
  assert.equal(api.status, 400);
  assert.deepEqual(api.json, { message: 'invalid syslog facility' });
  const ps = await ok(['ps', '-a', '--format', '{{.Names}}']);
  assert.doesNotMatch(ps, /berth-test-logs-bad/);
});

// ---- remote drivers: small listeners that decode what arrives ----

interface Listener { port: number; close(): void }

function tcpListener(onData: (chunk: Buffer, sock: Socket) => void, pause = false): Promise<Listener> {
  return new Promise((resolve) => {
    const socks = new Set<Socket>();
    const srv: Server = createServer((s) => {
      socks.add(s);
      s.on('close', () => socks.delete(s));
      s.on('error', () => undefined);
      if (pause) s.pause();
      else s.on('data', (c: Buffer) => onData(c, s));
    });
    srv.listen(0, '127.0.0.1', () => {
      const l = { port: (srv.address() as { port: number }).port, close: () => { for (const s of socks) s.destroy(); srv.close(); } };
      cleanups.push(() => l.close());
      resolve(l);
    });
  });
}

function udpListener(onMsg: (b: Buffer) => void): Promise<Listener> {
  return new Promise((resolve) => {
    const s: UdpSocket = createSocket('udp4');
    s.on('message', onMsg);
    s.bind(0, '127.0.0.1', () => {
      const l = { port: s.address().port, close: () => s.close() };
      cleanups.push(() => { try { s.close(); } catch { /* closed */ } });
      resolve(l);
    });
  });
}

/** A port nothing listens on (bound, then closed). */
async function deadPort(): Promise<number> {
  const l = await tcpListener(() => undefined);
  l.close();
  return l.port;
}

test('syslog to small listeners: RFC 5424 over TCP (LF-framed), RFC 3164 over UDP, tag and facility', async () => {
  let tcpText = '';
  const tcp = await tcpListener((c) => { tcpText += c.toString(); });
  const udpMsgs: string[] = [];
  const udp = await udpListener((b) => udpMsgs.push(b.toString()));
  const n1 = 'berth-test-logs-sys5424';
  const n2 = 'berth-test-logs-sys3164';
  cleanups.push(() => { void d.docker(['rm', '-f', n1, n2]); });
  await ok(['run', '--name', n1, '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${tcp.port}`, '--log-opt', 'syslog-format=rfc5424',
    '--log-opt', 'tag=berth-{{.Name}}', '--log-opt', 'syslog-facility=local3', 'busybox', 'sh', '-c', 'echo hello-5424; echo oops >&2']);
  await retrying(() => assert.equal(tcpText.split('\n').length, 3, tcpText));
  const [out, err] = tcpText.split('\n');
  // <local3*8+info>1 TIMESTAMP HOST APP PROCID MSGID - MSG
  assert.match(out!, new RegExp(`^<158>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\S+ berth-${n1} \\d+ berth-${n1} - hello-5424$`));
  assert.match(err!, /^<155>1 .* - oops$/);
  const r = await d.docker(['logs', n1]);
  assert.match(r.stderr, /configured logging driver does not support reading/);
  await ok(['run', '--name', n2, '--log-driver', 'syslog', '--log-opt', `syslog-address=udp://127.0.0.1:${udp.port}`, '--log-opt', 'syslog-format=rfc3164', 'busybox', 'echo', 'hello-3164']);
  const id = (await inspect(n2)).Id;
  await retrying(() => assert.equal(udpMsgs.length, 1));
  // <daemon*8+info>Mmm dd hh:mm:ss HOST TAG[PID]: MSG, default tag = short ID
  assert.match(udpMsgs[0]!, new RegExp(`^<30>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ ${id.slice(0, 12)}\\[\\d+\\]: hello-3164$`));
});

test('syslog to Debian\'s rsyslogd: unix socket (stream), UDP and TCP inputs', async (t) => {
  if (!existsSync('/usr/sbin/rsyslogd')) { t.skip('rsyslogd not installed (apt-get install rsyslog)'); return; }
  const dir = mkdtempSync('/tmp/berth-test-rsyslog-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tcpPort = await deadPort();
  const udpPort = await deadPort();
  const sock = join(dir, 'log.sock');
  const out = join(dir, 'out.log');
  writeFileSync(join(dir, 'rsyslog.conf'), [
    `global(workDirectory="${dir}")`,
    'module(load="imptcp")', 'module(load="imudp")',
    `input(type="imptcp" port="${tcpPort}" address="127.0.0.1")`,
    `input(type="imptcp" path="${sock}")`,
    `input(type="imudp" port="${udpPort}" address="127.0.0.1")`,
    'template(name="berth" type="string" string="%syslogtag%|%syslogfacility-text%|%syslogseverity-text%|%msg:2:$%\\n")',
    `*.* action(type="omfile" file="${out}" template="berth")`,
  ].join('\n'));
  const pidFile = join(dir, 'rsyslogd.pid');
  const proc: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let spawnErr = '';
  proc.on('error', (e) => { spawnErr = String(e); });
  proc.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  proc.stdout!.on('data', (b: Buffer) => { stderr += b.toString(); });
  cleanups.push(() => { if (proc.exitCode === null) proc.kill('SIGKILL'); });
  // With -n rsyslogd writes no pid file: it is up once its socket and TCP port answer.
  await retrying(async () => {
    assert.ok(existsSync(sock), `rsyslogd not up (exit ${proc.exitCode} ${spawnErr}): ${stderr}`);
    await new Promise<void>((resolve, reject) => {
      const s = createConnection({ host: '127.0.0.1', port: tcpPort }, () => { s.destroy(); resolve(); });
      s.on('error', reject);
    });
  }, 10_000);
  const names = ['berth-test-logs-rs-unix', 'berth-test-logs-rs-udp', 'berth-test-logs-rs-tcp'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  const addrs = [`unix://${sock}`, `udp://127.0.0.1:${udpPort}`, `tcp://127.0.0.1:${tcpPort}`];
  for (let i = 0; i < 3; i++) {
    await ok(['run', '--name', names[i]!, '--log-driver', 'syslog', '--log-opt', `syslog-address=${addrs[i]}`, '--log-opt', 'syslog-format=rfc3164',
      '--log-opt', `tag=${names[i]}`, 'busybox', 'sh', '-c', `echo via-${i}; echo err-${i} >&2`]);
  }
  await retrying(() => {
    const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
    for (let i = 0; i < 3; i++) {
      assert.match(text, new RegExp(`${names[i]}\\[\\d+\\]:\\|daemon\\|info\\|via-${i}\\n`), text);
      assert.match(text, new RegExp(`${names[i]}\\[\\d+\\]:\\|daemon\\|err\\|err-${i}\\n`), text);
    }
  }, 10_000);
  proc.kill('SIGTERM');
});

function gelfDecode(b: Buffer): Record<string, unknown> {
  if (b[0] === 0x1f && b[1] === 0x8b) return JSON.parse(gunzipSync(b).toString());
  if (b[0] === 0x78) return JSON.parse(unzipSync(b).toString());
  return JSON.parse(b.toString());
}

test('gelf: UDP (gzip, chunked over 1420 bytes) and TCP (NUL-terminated) to listeners', async () => {
  const chunks = new Map<string, Buffer[]>();
  const udpDocs: Record<string, unknown>[] = [];
  const udp = await udpListener((b) => {
    if (b[0] === 0x1e && b[1] === 0x0f) {
      const id = b.subarray(2, 10).toString('hex');
      const parts = chunks.get(id) ?? [];
      parts[b[10]!] = b.subarray(12);
      chunks.set(id, parts);
      if (parts.filter(Boolean).length === b[11]) udpDocs.push(gelfDecode(Buffer.concat(parts)));
    } else {
      udpDocs.push(gelfDecode(b));
    }
  });
  let tcpBuf = Buffer.alloc(0);
  const tcp = await tcpListener((c) => { tcpBuf = Buffer.concat([tcpBuf, c]); });
  const n1 = 'berth-test-logs-gelf-udp';
  const n2 = 'berth-test-logs-gelf-tcp';
  cleanups.push(() => { void d.docker(['rm', '-f', n1, n2]); });
  // A 6000-byte line of random base64 stays > 1420 bytes after gzip: it must come in chunks.
  await ok(['run', '--name', n1, '--log-driver', 'gelf', '--log-opt', `gelf-address=udp://127.0.0.1:${udp.port}`, 'busybox', 'sh', '-c',
    'echo short-one; head -c 4500 /dev/urandom | base64 | tr -d "\\n"; echo']);
  await retrying(() => assert.equal(udpDocs.length, 2));
  assert.ok(chunks.size >= 1, 'the long message was chunked');
  const id = (await inspect(n1)).Id;
  const short = udpDocs.find((x) => x.short_message === 'short-one')!;
  assert.ok(short, JSON.stringify(udpDocs.map((x) => x.short_message)));
  assert.equal(short.version, '1.1');
  assert.equal(short.level, 6);
  assert.equal(short._container_id, id);
  assert.equal(short._container_name, n1);
  assert.equal(short._tag, id.slice(0, 12));
  assert.equal(short._image_name, 'busybox');
  assert.equal(typeof short.timestamp, 'number');
  const long = udpDocs.find((x) => x.short_message !== 'short-one')!;
  assert.equal(String(long.short_message).length, 6000);
  await ok(['run', '--name', n2, '--log-driver', 'gelf', '--log-opt', `gelf-address=tcp://127.0.0.1:${tcp.port}`, 'busybox', 'sh', '-c', 'echo tcp-a; echo tcp-b >&2']);
  await retrying(() => assert.equal(tcpBuf.filter((b) => b === 0).length, 2));
  const docs = tcpBuf.toString().split('\0').filter(Boolean).map((s) => JSON.parse(s) as Record<string, unknown>);
  assert.deepEqual(docs.map((x) => [x.short_message, x.level]), [['tcp-a', 6], ['tcp-b', 3]]);
});

test('fluentd: forward protocol (msgpack [tag, time, record]) to a listener', async () => {
  let buf = Buffer.alloc(0);
  const events: unknown[] = [];
  const l = await tcpListener((c) => {
    buf = Buffer.concat([buf, c]);
    for (;;) {
      try {
        const { value, end } = decodeMsgpack(buf);
        events.push(value);
        buf = buf.subarray(end);
      } catch { break; }
    }
  });
  const name = 'berth-test-logs-fluentd';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '--name', name, '--log-driver', 'fluentd', '--log-opt', `fluentd-address=127.0.0.1:${l.port}`, '--log-opt', 'tag=berth.{{.Name}}',
    'busybox', 'sh', '-c', 'echo fluent-1; echo fluent-2 >&2']);
  const id = (await inspect(name)).Id;
  await retrying(() => assert.equal(events.length, 2));
  const [e1, e2] = events as [string, number, Record<string, string>][];
  assert.equal(e1![0], `berth.${name}`);
  assert.ok(Math.abs(e1![1] - Date.now() / 1000) < 120, `time ${e1![1]}`);
  assert.deepEqual(e1![2], { container_id: id, container_name: `/${name}`, source: 'stdout', log: 'fluent-1' });
  assert.equal(e2![2].source, 'stderr');
  assert.equal(e2![2].log, 'fluent-2');
});

test('attributes on every driver that has them: json-file attrs, gelf _fields, fluentd record (labels, env, their regexes, tag); fluentd acks and sub-second times', async () => {
  const common = ['--label', 'com.example.team=web', '--label', 'com.example.tier=front', '--label', 'other=x', '-e', 'APP=shop', '-e', 'REGION=eu'];
  const names = ['berth-test-logs-attr-json', 'berth-test-logs-attr-gelf', 'berth-test-logs-attr-fluent'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  // json-file: "attrs" between stream and time, keys sorted, the tag only when asked for; docker logs unaffected.
  await ok(['run', '--name', names[0]!, ...common, '--log-opt', 'labels=com.example.team', '--log-opt', 'env-regex=^REG', '--log-opt', 'tag={{.Name | upper}}',
    'busybox', 'echo', 'with-attrs']);
  const info = await inspect(names[0]!);
  const line = readFileSync(info.LogPath, 'utf8').split('\n')[0]!;
  assert.match(line, /^\{"log":"with-attrs\\n","stream":"stdout","attrs":\{"REGION":"eu","com.example.team":"web","tag":"BERTH-TEST-LOGS-ATTR-JSON"\},"time":"[^"]+Z"\}$/);
  assert.equal(await ok(['logs', names[0]!]), 'with-attrs\n');
  // gelf: each attribute as an _field.
  const docs: Record<string, unknown>[] = [];
  const udp = await udpListener((b) => docs.push(gelfDecode(b)));
  await ok(['run', '--name', names[1]!, ...common, '--log-driver', 'gelf', '--log-opt', `gelf-address=udp://127.0.0.1:${udp.port}`, '--log-opt', 'gelf-compression-type=none',
    '--log-opt', 'labels-regex=^com\\.example\\.', '--log-opt', 'env=APP', '--log-opt', 'tag=g-{{.ImageName}}', 'busybox', 'echo', 'gelf-attrs']);
  await retrying(() => assert.equal(docs.length, 1));
  assert.equal(docs[0]!._tag, 'g-busybox');
  assert.deepEqual([docs[0]!['_com.example.team'], docs[0]!['_com.example.tier'], docs[0]!._APP, docs[0]!._other], ['web', 'front', 'shop', undefined]);
  // fluentd with request-ack and sub-second precision: the listener acknowledges each chunk.
  let buf = Buffer.alloc(0);
  const events: unknown[][] = [];
  const l = await tcpListener((c, sock) => {
    buf = Buffer.concat([buf, c]);
    for (;;) {
      let r;
      try { r = decodeMsgpack(buf); } catch { break; }
      buf = buf.subarray(r.end);
      const ev = r.value as unknown[];
      events.push(ev);
      sock.write(encodeMsgpack({ ack: (ev[3] as { chunk: string }).chunk }));
    }
  });
  await ok(['run', '--name', names[2]!, ...common, '--log-driver', 'fluentd', '--log-opt', `fluentd-address=127.0.0.1:${l.port}`, '--log-opt', 'fluentd-request-ack=true',
    '--log-opt', 'fluentd-sub-second-precision=true', '--log-opt', 'labels=other', '--log-opt', 'env=APP,MISSING', 'busybox', 'sh', '-c', 'echo f-1; echo f-2']);
  await retrying(() => assert.equal(events.length, 2));
  const [tag, time, rec, opt] = events[0] as [string, MsgpackExt, Record<string, string>, { chunk: string }];
  assert.equal(tag, (await inspect(names[2]!)).Id.slice(0, 12));
  assert.ok(time instanceof MsgpackExt && time.type === 0 && time.data.length === 8, 'EventTime ext');
  assert.ok(Math.abs(time.data.readUInt32BE(0) - Date.now() / 1000) < 120);
  assert.deepEqual([rec.log, rec.other, rec.APP, rec.MISSING], ['f-1', 'x', 'shop', undefined]);
  assert.equal(typeof opt.chunk, 'string');
});

test('syslog over TLS and unixgram to Debian\'s rsyslogd (imtcp with the ossl driver, imuxsock): CA-verified, skip-verify, octet-counted RFC 5424', async (t) => {
  if (!existsSync('/usr/sbin/rsyslogd')) { t.skip('rsyslogd not installed (apt-get install rsyslog)'); return; }
  const ossl = ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so', '/usr/lib/rsyslog/lmnsd_ossl.so'].some((p) => existsSync(p));
  if (!ossl) { t.skip('rsyslog TLS driver missing (apt-get install rsyslog-openssl)'); return; }
  const dir = mkdtempSync('/tmp/berth-test-rsyslog-tls-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const certs = makeTestCerts(dir);
  if (typeof certs === 'string') { t.skip(certs); return; }
  const tlsPort = await deadPort();
  const dgram = join(dir, 'dgram.sock');
  const out = join(dir, 'out.log');
  writeFileSync(join(dir, 'rsyslog.conf'), [
    `global(workDirectory="${dir}" defaultNetstreamDriver="ossl" defaultNetstreamDriverCAFile="${certs.ca}"`,
    `  defaultNetstreamDriverCertFile="${certs.serverCert}" defaultNetstreamDriverKeyFile="${certs.serverKey}")`,
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${dgram}" CreatePath="on")`,
    'module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")',
    `input(type="imtcp" port="${tlsPort}" address="127.0.0.1")`,
    'template(name="berth" type="string" string="%protocol-version%|%app-name%|%syslogseverity-text%|%msg%\\n")',
    `*.* action(type="omfile" file="${out}" template="berth")`,
  ].join('\n'));
  const proc: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
  proc.stdout!.on('data', (b: Buffer) => { stderr += b.toString(); });
  cleanups.push(() => { if (proc.exitCode === null) proc.kill('SIGKILL'); });
  await retrying(async () => {
    assert.ok(existsSync(dgram), `rsyslogd not up (exit ${proc.exitCode}): ${stderr}`);
    await new Promise<void>((resolve, reject) => {
      const s = createConnection({ host: '127.0.0.1', port: tlsPort }, () => { s.destroy(); resolve(); });
      s.on('error', reject);
    });
  }, 10_000);
  const names = ['berth-test-logs-rs-tls', 'berth-test-logs-rs-tls-skip', 'berth-test-logs-rs-gram', 'berth-test-logs-rs-tls-noca'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  const tls = ['--log-driver', 'syslog', '--log-opt', `syslog-address=tcp+tls://127.0.0.1:${tlsPort}`, '--log-opt', 'syslog-format=rfc5424'];
  await ok(['run', '--name', names[0]!, ...tls, '--log-opt', `syslog-tls-ca-cert=${certs.ca}`, '--log-opt', `syslog-tls-cert=${certs.clientCert}`,
    '--log-opt', `syslog-tls-key=${certs.clientKey}`, '--log-opt', 'tag=tls-verified', 'busybox', 'sh', '-c', 'echo over-tls; echo tls-err >&2; echo "two words"']);
  await ok(['run', '--name', names[1]!, ...tls, '--log-opt', 'syslog-tls-skip-verify=true', '--log-opt', 'tag=tls-skip', 'busybox', 'echo', 'skipped-verify']);
  // The default (unix) format: what a local socket expects (no hostname).
  await ok(['run', '--name', names[2]!, '--log-driver', 'syslog', '--log-opt', `syslog-address=unixgram://${dgram}`,
    '--log-opt', 'tag=via-gram', 'busybox', 'echo', 'over-unixgram']);
  // Without the CA (and without skip-verify) the server's certificate is refused: the start fails.
  const r = await d.docker(['run', '--name', names[3]!, ...tls, 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to initialize logging driver: dial tcp 127\.0\.0\.1:\d+: .*(self.signed|unable to (get|verify))/i);
  await retrying(() => {
    const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
    // Octet counting: rsyslog sees whole RFC 5424 messages (version 1, app-name = tag), the space inside the message kept.
    for (const want of ['1|tls-verified|info|over-tls', '1|tls-verified|err|tls-err', '1|tls-verified|info|two words', '1|tls-skip|info|skipped-verify', '0|via-gram|info| over-unixgram']) {
      assert.ok(text.split('\n').includes(want), `${want} in:\n${text}\n${stderr}`);
    }
  }, 10_000);
  proc.kill('SIGTERM');
});

test('destinations that refuse or stall: start fails clearly (as Docker), async/non-blocking never block, berthd keeps serving', async () => {
  const dead = await deadPort();
  const names = ['berth-test-logs-down1', 'berth-test-logs-down2', 'berth-test-logs-down3', 'berth-test-logs-down4', 'berth-test-logs-down5'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  let r = await d.docker(['run', '--name', names[0]!, '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${dead}`, 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`failed to initialize logging driver: dial tcp 127.0.0.1:${dead}: connect: connection refused`));
  r = await d.docker(['run', '--name', names[1]!, '--log-driver', 'fluentd', '--log-opt', `fluentd-address=127.0.0.1:${dead}`, 'busybox', 'true']);
  assert.match(r.stderr, /failed to initialize logging driver: dial tcp .*connection refused/);
  assert.equal((await inspect(names[1]!)).State.Running, false);
  // fluentd-async: the start goes on and the container runs to its end.
  let t0 = Date.now();
  await ok(['run', '--name', names[2]!, '--log-driver', 'fluentd', '--log-opt', `fluentd-address=127.0.0.1:${dead}`, '--log-opt', 'fluentd-async=true', 'busybox', 'sh', '-c', loop('x', 2000)]);
  assert.ok(Date.now() - t0 < 15_000);
  // A TCP destination that accepts and never reads: 30 MB of output, non-blocking mode with
  // a small buffer; the container writes at full speed and its exit is reported promptly.
  const stalled = await tcpListener(() => undefined, true);
  t0 = Date.now();
  await ok(['run', '--name', names[3]!, '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${stalled.port}`,
    '--log-opt', 'mode=non-blocking', '--log-opt', 'max-buffer-size=64k', 'busybox', 'sh', '-c', 'head -c 22000000 /dev/zero | base64'], 120_000);
  const nonBlockingMs = Date.now() - t0;
  // Blocking mode (the default) with the same stalled destination: the container still ends;
  // its exit waits at most the bounded drain time (10 s) for the logs.
  t0 = Date.now();
  await ok(['run', '--name', names[4]!, '--log-driver', 'syslog', '--log-opt', `syslog-address=tcp://127.0.0.1:${stalled.port}`,
    'busybox', 'sh', '-c', 'head -c 22000000 /dev/zero | base64'], 120_000);
  const blockingMs = Date.now() - t0;
  assert.ok(nonBlockingMs < 30_000, `non-blocking run took ${nonBlockingMs} ms`);
  assert.ok(blockingMs < 40_000, `blocking run took ${blockingMs} ms`);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('berthd killed -9 while a container logs: it keeps running, and after the restart the json-file log has every line', async () => {
  const name = 'berth-test-logs-kill9';
  cleanups.push(() => { void d.docker(['rm', '-f', name]); });
  await ok(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'i=1; while [ $i -le 300 ]; do echo k9-$i; i=$((i+1)); sleep 0.01; done']);
  await sleep(700);
  await d.kill9();
  await sleep(1500);
  await d.start();
  await ok(['wait', name]);
  const lines = (await ok(['logs', name])).trim().split('\n');
  // At most a second of records may be shipped twice (the position is saved once a second).
  const unique = lines.filter((l, i) => lines.indexOf(l) === i);
  assert.deepEqual(unique, seq('k9-', 1, 300));
  assert.ok(lines.length - unique.length < 150, `${lines.length - unique.length} duplicates`);
});

test('daemon default log driver from daemon.json (log-driver, log-opts)', async () => {
  const d2 = new TestDaemon();
  const cfg = join(d2.dir, 'daemon.json');
  writeFileSync(cfg, JSON.stringify({ 'log-driver': 'local', 'log-opts': { 'max-size': '3k', 'max-file': '2' } }));
  d2.extraArgs = ['--config-file', cfg];
  try {
    await d2.start();
    await d2.importBusybox();
    const r = await d2.docker(['run', '--name', 'berth-test-logs-default', 'busybox', 'sh', '-c', loop('def-', 500)]);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse((await d2.docker(['inspect', 'berth-test-logs-default'])).stdout)[0];
    assert.deepEqual(c.HostConfig.LogConfig, { Type: 'local', Config: { 'max-size': '3k', 'max-file': '2' } });
    assertTail((await d2.docker(['logs', 'berth-test-logs-default'])).stdout.trim().split('\n'), 'def-', 500);
    assert.equal((await d2.docker(['info', '--format', '{{.LoggingDriver}}'])).stdout.trim(), 'local');
    await d2.docker(['rm', '-f', 'berth-test-logs-default']);
  } finally {
    await d2.stop();
  }
  // A bad default stops berthd at start with a clear message.
  const bad = spawnSync(process.execPath, ['dist/berthd.js', '--config-file', writeBad()], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr + bad.stdout, /invalid default log configuration: logger: no log driver named 'nope' is registered/);
});

function writeBad(): string {
  const dir = mkdtempSync('/tmp/berth-test-logcfg-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const p = join(dir, 'daemon.json');
  writeFileSync(p, JSON.stringify({ 'log-driver': 'nope' }));
  return p;
}
