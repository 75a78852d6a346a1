// Senders against local listeners: TLS with a client certificate (syslog tcp+tls://),
// fluentd acks (unacknowledged frames sent again after a reconnect), the retry policy
// giving up (gelf-tcp-max-reconnect, fluentd-max-retries), unix datagram sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DgramSocket } from 'node-unix-socket';
import { makeTestCerts } from '../../test/support/tls-certs.ts';
import { decodeMsgpack, encodeMsgpack } from './msgpack.ts';
import { StreamSender, UnixDatagramSender } from './transport.ts';

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const noop = (): void => undefined;

test('StreamSender over TLS: verifies the server with the CA, presents a client certificate; a wrong CA fails the dial', async (t) => {
  const dir = mkdtempSync('/tmp/berth-test-tls-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certs = makeTestCerts(dir);
  if (typeof certs === 'string') { t.skip(certs); return; }
  let got = '';
  let peer = '';
  const srv = createTlsServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true }, (s: TLSSocket) => {
    peer = String(s.getPeerCertificate().subject?.CN);
    s.on('data', (b: Buffer) => { got += b.toString(); });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const addr = { proto: 'tls' as const, host: '127.0.0.1', port, path: '' };
  const tls = { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) };
  const s = await StreamSender.open(addr, 1 << 20, true, noop, { tls });
  s.send(Buffer.from('12 <30>1 hello\n'));
  await until(() => got.includes('hello'));
  assert.equal(got, '12 <30>1 hello\n');
  assert.equal(peer, 'berth-test-client');
  await s.close(1000);
  // The server's certificate is not signed by the system CAs: refused unless told to skip.
  await assert.rejects(StreamSender.open(addr, 1 << 20, true, noop, { tls: { cert: tls.cert, key: tls.key } }), /dial tcp 127\.0\.0\.1:\d+: .*(self.signed|unable to (get|verify))/i);
  const skip = await StreamSender.open(addr, 1 << 20, true, noop, { tls: { cert: tls.cert, key: tls.key, rejectUnauthorized: false } });
  await skip.close(100);
});

test('StreamSender with acks: frames stay until acknowledged and go again after a reconnect', async (t) => {
  const seen: string[] = [];
  let ackAll = false;
  const socks = new Set<Socket>();
  const srv = createTcpServer((s) => {
    socks.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      for (;;) {
        let r;
        try { r = decodeMsgpack(buf); } catch { break; }
        buf = buf.subarray(r.end);
        const [, , rec, opt] = r.value as [string, number, { log: string }, { chunk: string }];
        seen.push(rec.log);
        if (ackAll) s.write(encodeMsgpack({ ack: opt.chunk }));
      }
    });
    s.on('error', noop);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const addr = { proto: 'tcp' as const, host: '127.0.0.1', port: (srv.address() as { port: number }).port, path: '' };
  const s = await StreamSender.open(addr, 1 << 20, true, noop, { acks: true, retry: { delayMs: 20, factor: 1, maxDelayMs: 20, maxRetries: 50 } });
  const frame = (log: string, chunk: string): Buffer => encodeMsgpack(['t', 1, { log }, { chunk }]);
  s.send(frame('one', 'c1'), 'c1');
  await until(() => seen.length === 1);
  // Not acknowledged: the connection drops; the sender reconnects (it has something pending) and sends it again.
  ackAll = true;
  for (const c of socks) c.destroy();
  s.send(frame('two', 'c2'), 'c2');
  await until(() => seen.includes('two') && seen.filter((x) => x === 'one').length === 2);
  await s.close(2000);
  assert.deepEqual(seen, ['one', 'one', 'two']);
});

test('StreamSender with acks to a peer that reads but never acknowledges: the write times out, is retried on a new connection, then dropped; room() never hangs', async (t) => {
  const seen: string[] = [];
  let conns = 0;
  const srv = createTcpServer((s) => {
    conns++;
    let buf = Buffer.alloc(0);
    s.on('data', (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      for (;;) {
        let r;
        try { r = decodeMsgpack(buf); } catch { break; }
        buf = buf.subarray(r.end);
        seen.push((r.value as [string, number, { log: string }])[2].log);
      }
    });
    s.on('error', noop);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const addr = { proto: 'tcp' as const, host: '127.0.0.1', port: (srv.address() as { port: number }).port, path: '' };
  const errors: string[] = [];
  // A limit so small that one unacknowledged frame fills it: room() waits on the ack.
  const s = await StreamSender.open(addr, 40, true, (e) => errors.push((e as Error).message), { acks: true, ackTimeoutMs: 100, retry: { delayMs: 20, factor: 1.5, maxDelayMs: 100, maxRetries: 3 } });
  t.after(() => s.close(0));
  const frame = (log: string, chunk: string): Buffer => encodeMsgpack(['t', 1, { log }, { chunk }]);
  const t0 = Date.now();
  s.send(frame('one', 'c1'), 'c1');
  await s.room();
  // Three attempts (maxRetries), each on its own connection, then the frame is given up.
  assert.deepEqual(seen, ['one', 'one', 'one']);
  assert.equal(conns, 3);
  assert.equal(s.dropped, 1);
  assert.equal(errors.filter((m) => /no ack within 100 ms/.test(m)).length, 3);
  assert.ok(Date.now() - t0 < 3000, `room() took ${Date.now() - t0} ms`);
  // The sender still works: the next frame goes out on a new connection.
  s.send(frame('two', 'c2'), 'c2');
  await until(() => seen.includes('two'));
});

test('StreamSender gives up after maxRetries (dropping what waits), and a later message tries again', async (t) => {
  const srv = createTcpServer(noop);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const addr = { proto: 'tcp' as const, host: '127.0.0.1', port, path: '' };
  let failures = 0;
  const s = await StreamSender.open(addr, 1 << 20, false, () => { failures++; }, { retry: { delayMs: 10, factor: 1, maxDelayMs: 10, maxRetries: 3 } });
  t.after(() => s.close(0));
  s.send(Buffer.from('a'));
  s.send(Buffer.from('b'));
  await until(() => s.dropped === 2);
  assert.equal(failures, 3);
  // A new message starts a new round; this time a listener is there.
  let got = '';
  const again = createTcpServer((c) => c.on('data', (b: Buffer) => { got += b.toString(); }));
  await new Promise<void>((r) => again.listen(port, '127.0.0.1', r));
  t.after(() => again.close());
  s.send(Buffer.from('c'));
  await until(() => got === 'c');
});

test('UnixDatagramSender: one datagram per message; none lost; a missing socket is counted, never thrown', async (t) => {
  const dir = mkdtempSync('/tmp/berth-test-dgram-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log.sock');
  const rx = new DgramSocket();
  const got: string[] = [];
  rx.on('data', (b: Buffer) => got.push(b.toString()));
  rx.bind(path);
  t.after(() => rx.close());
  const s = new UnixDatagramSender(path, 1 << 20, noop);
  for (let i = 0; i < 100; i++) s.send(Buffer.from(`<30>msg ${i}`));
  await until(() => got.length === 100);
  assert.deepEqual(got.slice(0, 2), ['<30>msg 0', '<30>msg 1']);
  await s.close(1000);
  const gone = new UnixDatagramSender(join(dir, 'missing.sock'), 1 << 20, noop);
  gone.send(Buffer.from('x'));
  await until(() => gone.dropped === 1);
  await gone.close(100);
});

test('UnixDatagramSender to a receiver that never reads: bounded (the rest dropped and counted), never blocks the event loop', async (t) => {
  const dir = mkdtempSync('/tmp/berth-test-dgram-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'stuck.sock');
  // A receiver that binds and never reads (python3: the addon's sockets always read).
  const py = spawn('python3', ['-c', `import socket,time\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(${JSON.stringify(path)})\nprint('up',flush=True)\ntime.sleep(60)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { py.kill('SIGKILL'); });
  const up = await new Promise<boolean>((resolve) => { py.stdout!.once('data', () => resolve(true)); py.once('error', () => resolve(false)); py.once('exit', () => resolve(false)); });
  if (!up) { t.skip('python3 not available'); return; }
  const s = new UnixDatagramSender(path, 64 << 10, noop);
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  const b = Buffer.alloc(1000, 0x41);
  let accepted = 0;
  for (let i = 0; i < 2000; i++) if (s.send(b)) accepted++;
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(iv);
  // 64 KiB in flight, plus what the receiver's queue took at once.
  assert.ok(accepted <= 66 + 64, `accepted ${accepted}`);
  assert.equal(s.dropped, 2000 - accepted);
  assert.ok(ticks >= 10, `event loop ticks ${ticks}`);
  const t0 = Date.now();
  await s.close(100);
  assert.ok(Date.now() - t0 < 1000);
});
