// Docker's default syslog address: /dev/log as a datagram socket (rsyslog, journald), else as
// a stream socket; none there is the start's error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DgramSocket } from 'node-unix-socket';
import { defaultSyslogAddress, openRemote } from './remote.ts';

test('default syslog address: datagram socket, else stream socket, else the dial error', async (t) => {
  const dir = mkdtempSync('/tmp/berth-test-devlog-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gram = join(dir, 'gram.sock');
  const rx = new DgramSocket();
  rx.bind(gram);
  t.after(() => rx.close());
  assert.deepEqual(await defaultSyslogAddress(gram), { proto: 'unixgram', host: '', port: 0, path: gram });
  const stream = join(dir, 'stream.sock');
  const srv = createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(stream, r));
  t.after(() => srv.close());
  assert.deepEqual(await defaultSyslogAddress(stream), { proto: 'unix', host: '', port: 0, path: stream });
  await assert.rejects(defaultSyslogAddress(join(dir, 'none.sock')), /dial unix .*none\.sock: connect: no such file or directory/);
});

test('syslog over TLS: a certificate file that cannot be read fails the start in the driver\'s words', async () => {
  const info = { id: 'a'.repeat(64), name: '/berth-test-x', imageId: 'sha256:' + 'b'.repeat(64), imageName: 'busybox', command: '', created: '', hostname: 'h', daemonName: 'berth' };
  await assert.rejects(openRemote({ Type: 'syslog', Config: { 'syslog-address': 'tcp+tls://127.0.0.1:1', 'syslog-tls-ca-cert': '/nonexistent/berth-test-ca.pem' } }, info, () => undefined),
    /^Error: failed to initialize logging driver: could not read \/nonexistent\/berth-test-ca\.pem: ENOENT$/);
});
