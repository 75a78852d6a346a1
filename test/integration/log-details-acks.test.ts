// `docker logs --details` (the entry's attrs as `k=v,k2=v2 ` before each message, as moby's
// WriteLogStream writes them) for json-file and local, and fluentd acks that never come
// (fluentd-request-ack with fluentd-read-timeout): the write fails after the timeout, is
// retried on a new connection per fluentd-retry-wait / fluentd-max-retries, then dropped;
// the container and berthd carry on; syslog-tls-skip-verify's presence semantics. Driven by
// the real docker CLI 28.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { TestDaemon } from '../support/daemon.ts';
import { decodeMsgpack } from '../../src/logdriver/msgpack.ts';
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

test('docker logs --details: json-file shows the attrs (labels, env, tag) sorted and query-escaped; local and no attrs give the bare space', async () => {
  const names = ['berth-test-details-json', 'berth-test-details-local', 'berth-test-details-plain'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  await ok(['run', '--name', names[0]!, '--label', 'com.example.team=web ops', '-e', 'REGION=eu/west', '--log-opt', 'labels=com.example.team',
    '--log-opt', 'env=REGION', '--log-opt', 'tag={{.Name}}', 'busybox', 'sh', '-c', 'echo out-1; echo err-1 >&2']);
  const out = await d.docker(['logs', '--details', names[0]!]);
  assert.equal(out.code, 0, out.stderr);
  const prefix = `REGION=eu%2Fwest,com.example.team=web+ops,tag=${names[0]} `;
  assert.equal(out.stdout, `${prefix}out-1\n`);
  assert.equal(out.stderr, `${prefix}err-1\n`);
  // With --timestamps the time comes first, then the attrs (moby's order).
  const ts = (await ok(['logs', '--details', '--timestamps', names[0]!])).trimEnd();
  assert.match(ts, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z ${prefix.replace(/[.+]/g, '\\$&')}out-1$`));
  // Without --details nothing changes; --tail still counts lines.
  assert.equal(await ok(['logs', names[0]!]), 'out-1\n');
  const tail = await d.docker(['logs', '--details', '--tail', '1', names[0]!]);
  assert.deepEqual([tail.stdout, tail.stderr], ['', `${prefix}err-1\n`]);
  // local keeps no attrs (as in Docker): the prefix is the space alone.
  await ok(['run', '--name', names[1]!, '--log-driver', 'local', '--label', 'a=b', 'busybox', 'echo', 'local-1']);
  assert.equal(await ok(['logs', '--details', names[1]!]), ' local-1\n');
  // json-file without attribute options: the space alone.
  await ok(['run', '--name', names[2]!, 'busybox', 'echo', 'plain-1']);
  assert.equal(await ok(['logs', '--details', names[2]!]), ' plain-1\n');
  // Follow with --details on a running container.
  await ok(['run', '-d', '--name', `${names[2]}-f`, '--label', 'k=v', '--log-opt', 'labels=k', 'busybox', 'sh', '-c', 'echo f-1; sleep 1; echo f-2']);
  cleanups.push(() => { void d.docker(['rm', '-f', `${names[2]}-f`]); });
  assert.equal(await ok(['logs', '-f', '--details', `${names[2]}-f`]), 'k=v f-1\nk=v f-2\n');
});

test('fluentd acks that never come: each write times out (fluentd-read-timeout), is sent again on a new connection, then dropped after fluentd-max-retries; nothing stalls', async () => {
  const seen: string[] = [];
  const socks = new Set<Socket>();
  let conns = 0;
  // Reads and decodes everything, acknowledges nothing.
  const srv: Server = createServer((s) => {
    conns++;
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        let r;
        try { r = decodeMsgpack(buf); } catch { break; }
        buf = buf.subarray(r.end);
        seen.push((r.value as [string, unknown, { log: string }])[2].log);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => { for (const s of socks) s.destroy(); srv.close(); });
  const port = (srv.address() as { port: number }).port;
  const name = 'berth-test-fluent-noack';
  cleanups.push(() => { void d.docker(['rm', '-f', name, `${name}-2`]); });
  const opts = ['--log-driver', 'fluentd', '--log-opt', `fluentd-address=127.0.0.1:${port}`, '--log-opt', 'fluentd-request-ack=true',
    '--log-opt', 'fluentd-read-timeout=300ms', '--log-opt', 'fluentd-retry-wait=50ms', '--log-opt', 'fluentd-max-retries=3'];
  const t0 = Date.now();
  await ok(['run', '--name', name, ...opts, 'busybox', 'sh', '-c', 'echo noack-1; echo noack-2']);
  // Each line is sent once per attempt: 3 attempts, each on a connection of its own.
  const deadline = Date.now() + 15_000;
  while ((seen.filter((l) => l === 'noack-1').length < 3 || conns < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(seen.filter((l) => l === 'noack-1').length, 3, `seen ${JSON.stringify(seen)}`);
  assert.equal(seen.filter((l) => l === 'noack-2').length, 3, `seen ${JSON.stringify(seen)}`);
  assert.ok(conns >= 3, `connections: ${conns}`);
  // Given up: no fourth attempt comes.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(seen.filter((l) => l === 'noack-1').length, 3);
  assert.ok(Date.now() - t0 < 20_000);
  assert.match(d.log, /no ack within 300 ms/);
  // The daemon keeps serving; the container is removed promptly.
  const rm0 = Date.now();
  await ok(['rm', name]);
  assert.ok(Date.now() - rm0 < 5000, `rm took ${Date.now() - rm0} ms`);
  // A bad read timeout is a 400 at create, in moby's words.
  const bad = await d.docker(['create', '--name', `${name}-2`, '--log-driver', 'fluentd', '--log-opt', 'fluentd-read-timeout=5', 'busybox', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid value for fluentd-read-timeout: value must be a duration: time: missing unit in duration "5"/);
});

test('syslog-tls-skip-verify: present means skip whatever its value (moby parseTLSConfig), "false" included; absent means verify', async (t) => {
  const dir = mkdtempSync('/tmp/berth-test-skipv-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const certs = makeTestCerts(dir);
  if (typeof certs === 'string') { t.skip(certs); return; }
  let got = '';
  const srv = createTlsServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (s) => {
    s.on('data', (b: Buffer) => { got += b.toString(); });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => { srv.close(); });
  const port = (srv.address() as { port: number }).port;
  const names = ['berth-test-skipv-false', 'berth-test-skipv-absent'];
  cleanups.push(() => { void d.docker(['rm', '-f', ...names]); });
  const tls = ['--log-driver', 'syslog', '--log-opt', `syslog-address=tcp+tls://127.0.0.1:${port}`, '--log-opt', 'syslog-format=rfc5424'];
  // The server's certificate is signed by a CA berthd does not know: only skipping lets it through.
  await ok(['run', '--name', names[0]!, ...tls, '--log-opt', 'syslog-tls-skip-verify=false', 'busybox', 'echo', 'skipped-anyway']);
  const end = Date.now() + 10_000;
  while (!got.includes('skipped-anyway') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.match(got, /skipped-anyway/);
  assert.match(d.log, /syslog-tls-skip-verify=false: the option's presence skips TLS verification/);
  const r = await d.docker(['run', '--name', names[1]!, ...tls, 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to initialize logging driver: dial tcp 127\.0\.0\.1:\d+: .*(self.signed|unable to (get|verify))/i);
});
