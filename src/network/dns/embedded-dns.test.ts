// The server on 127.0.0.1 (a free high port), queried with node:dgram / node:net and
// dns-packet; upstreams are fake resolvers (sockets in this test).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { EmbeddedDns } from './embedded-dns.ts';

/** dns-packet's decoded reply, with the fields its typings leave out (rcode, answer data). */
interface Reply {
  id: number; type: string; rcode: string; flag_tc: boolean; flag_rd: boolean; flag_ra: boolean;
  answers: { type: string; data: unknown; ttl?: number }[];
  additionals: { type: string }[];
}
function asReply(p: dnsPacket.DecodedPacket): Reply {
  return p as unknown as Reply;
}

const HOST = '127.0.0.1';
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function udpQuery(port: number, packet: dnsPacket.Packet | Buffer, timeoutMs = 3000): Promise<Reply | null> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(null); }, timeoutMs);
    s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
    s.on('message', (msg) => { clearTimeout(timer); s.close(); resolve(asReply(dnsPacket.decode(msg))); });
    s.send(Buffer.isBuffer(packet) ? packet : dnsPacket.encode(packet), port, HOST);
  });
}

function tcpQuery(port: number, packet: dnsPacket.Packet): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: HOST, port });
    let buf = Buffer.alloc(0);
    c.on('error', reject);
    c.on('connect', () => { c.write(dnsPacket.streamEncode(packet)); });
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        c.destroy();
        resolve(asReply(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)))));
      }
    });
  });
}

const q = (name: string, type: dnsPacket.RecordType = 'A', id = 4242): dnsPacket.Packet => ({
  id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }],
});

/** A fake upstream over UDP: answers example.com A with 93.184.216.34, records what it saw. */
async function fakeUdpUpstream(): Promise<{ sock: Socket; port: number; seen: string[] }> {
  const sock = createSocket('udp4');
  const seen: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const req = dnsPacket.decode(msg);
    const name = req.questions?.[0]?.name ?? '';
    seen.push(name);
    sock.send(dnsPacket.encode({
      id: req.id, type: 'response', flags: dnsPacket.RECURSION_AVAILABLE, questions: req.questions,
      answers: name === 'example.com' ? [{ type: 'A', name, ttl: 30, data: '93.184.216.34' }] : [],
    }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, HOST, () => r()));
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  return { sock, port: sock.address().port, seen };
}

async function fakeTcpUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => {
    c.on('data', (d: Buffer) => {
      const req = dnsPacket.decode(d.subarray(2));
      c.write(dnsPacket.streamEncode({
        id: req.id, type: 'response', questions: req.questions,
        answers: [{ type: 'TXT', name: req.questions?.[0]?.name ?? '', ttl: 5, data: 'via-tcp' }],
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

/** A UDP socket that never answers (the SERVFAIL path). */
async function silentUpstream(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, HOST, () => r()));
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  return sock.address().port;
}

async function startDns(upstreams: string[], timeoutMs = 300): Promise<{ dns: EmbeddedDns; port: number }> {
  const dns = new EmbeddedDns({ upstreams, upstreamTimeoutMs: timeoutMs });
  const port = await dns.listen(HOST, 0);
  cleanups.push(() => dns.closeAll());
  dns.setNames(HOST, {
    network: 'berth-test-net',
    endpoints: [
      { names: ['web', 'frontend', 'aaaaaaaaaaaa'], ipv4: '172.30.0.2' },
      { names: ['api', 'shared'], ipv4: '172.30.0.3' },
      { names: ['api2', 'shared'], ipv4: '172.30.0.4' },
    ],
  });
  return { dns, port };
}

test('answers names of the table over UDP and TCP', async () => {
  const { port } = await startDns([]);
  const a = await udpQuery(port, q('WEB'));
  assert.ok(a);
  assert.equal(a.id, 4242);
  assert.equal(a.rcode, 'NOERROR');
  assert.deepEqual(a.answers?.map((x) => [x.type, x.data, x.ttl]), [['A', '172.30.0.2', 600]]);
  const alias = await udpQuery(port, q('frontend.berth-test-net'));
  assert.deepEqual(alias?.answers?.map((x) => x.data), ['172.30.0.2']);
  const short = await tcpQuery(port, q('aaaaaaaaaaaa'));
  assert.deepEqual(short.answers?.map((x) => x.data), ['172.30.0.2']);
  const ptr = await udpQuery(port, q('2.0.30.172.in-addr.arpa', 'PTR'));
  assert.deepEqual(ptr?.answers?.map((x) => x.data), ['web.berth-test-net']);
  // Known name, missing family: NOERROR without answers, not forwarded (no upstream here).
  const aaaa = await udpQuery(port, q('web', 'AAAA'));
  assert.equal(aaaa?.rcode, 'NOERROR');
  assert.deepEqual(aaaa?.answers, []);
  const shared1 = await udpQuery(port, q('shared'));
  const shared2 = await udpQuery(port, q('shared'));
  assert.deepEqual(new Set(shared1?.answers?.map((x) => x.data)), new Set(['172.30.0.3', '172.30.0.4']));
  assert.notDeepEqual(shared1?.answers?.map((x) => x.data), shared2?.answers?.map((x) => x.data));
});

test('forwards unknown names to the upstream, skipping one that does not answer', async () => {
  const dead = await silentUpstream();
  const up = await fakeUdpUpstream();
  const { port } = await startDns([`${HOST}:${dead}`, `${HOST}:${up.port}`]);
  const started = Date.now();
  const r = await udpQuery(port, q('example.com', 'A', 777));
  assert.ok(r);
  assert.equal(r.id, 777);
  assert.deepEqual(r.answers?.map((x) => x.data), ['93.184.216.34']);
  assert.ok(Date.now() - started >= 250, 'the first upstream timed out first');
  // Other query types for known names go upstream too.
  await udpQuery(port, q('web', 'TXT'));
  assert.deepEqual(up.seen, ['example.com', 'web']);
});

test("a container's own --dns servers answer its queries instead of the host's", async () => {
  const hostUp = await fakeUdpUpstream();
  const own = await fakeUdpUpstream();
  const { dns, port } = await startDns([`${HOST}:${hostUp.port}`]);
  // The asking client is 127.0.0.1: make it a container of the network with its own resolvers.
  dns.setNames(HOST, {
    network: 'berth-test-net',
    endpoints: [{ names: ['web'], ipv4: '172.30.0.2' }, { names: ['me'], ipv4: HOST, upstreams: [`${HOST}:${own.port}`, 'not-an-address'] }],
  });
  const r = await udpQuery(port, q('example.com'));
  assert.deepEqual(r?.answers?.map((x) => x.data), ['93.184.216.34']);
  assert.deepEqual(own.seen, ['example.com']);
  assert.deepEqual(hostUp.seen, []);
  // Its own names are still answered here.
  const w = await udpQuery(port, q('web'));
  assert.deepEqual(w?.answers?.map((x) => x.data), ['172.30.0.2']);
  // Without upstreams of its own, the host's resolvers again.
  dns.setNames(HOST, { network: 'berth-test-net', endpoints: [{ names: ['me'], ipv4: HOST }] });
  await udpQuery(port, q('example.net'));
  assert.deepEqual(hostUp.seen, ['example.net']);
});

test('an upstream SERVFAIL moves on to the next upstream', async () => {
  const failing = createSocket('udp4');
  let asked = 0;
  failing.on('message', (msg, rinfo) => {
    asked++;
    const req = dnsPacket.decode(msg);
    failing.send(dnsPacket.encode({ id: req.id, type: 'response', flags: 2, questions: req.questions }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => failing.bind(0, HOST, () => r()));
  cleanups.push(() => new Promise<void>((r) => failing.close(() => r())));
  const up = await fakeUdpUpstream();
  const { port } = await startDns([`${HOST}:${failing.address().port}`, `${HOST}:${up.port}`]);
  const r = await udpQuery(port, q('example.com'));
  assert.equal(asked, 1);
  assert.deepEqual(r?.answers.map((x) => x.data), ['93.184.216.34']);
  const only = await startDns([`${HOST}:${failing.address().port}`]);
  assert.equal((await udpQuery(only.port, q('example.com')))?.rcode, 'SERVFAIL');
});

test('internal networks do not forward', async () => {
  const up = await fakeUdpUpstream();
  const { dns, port } = await startDns([`${HOST}:${up.port}`]);
  dns.setNames(HOST, { network: 'berth-test-internal', forward: false, endpoints: [{ names: ['db'], ipv4: '10.5.0.2' }] });
  assert.deepEqual((await udpQuery(port, q('db')))?.answers.map((x) => x.data), ['10.5.0.2']);
  assert.equal((await udpQuery(port, q('example.com')))?.rcode, 'SERVFAIL');
  assert.deepEqual(up.seen, []);
});

test('TCP queries are forwarded over TCP', async () => {
  const up = await fakeTcpUpstream();
  const { port } = await startDns([`${HOST}:${up.port}`]);
  const r = await tcpQuery(port, q('example.org', 'TXT', 99));
  assert.equal(r.id, 99);
  assert.equal(r.answers?.[0]?.type, 'TXT');
});

test('SERVFAIL when no upstream answers', async () => {
  const dead = await silentUpstream();
  const { port } = await startDns([`${HOST}:${dead}`], 200);
  const r = await udpQuery(port, q('nothing.example'));
  assert.equal(r?.rcode, 'SERVFAIL');
  assert.equal(r?.id, 4242);
  const none = await startDns([]);
  assert.equal((await udpQuery(none.port, q('nothing.example')))?.rcode, 'SERVFAIL');
});

test('malformed packets are dropped and the server keeps serving', async () => {
  const { port } = await startDns([]);
  assert.equal(await udpQuery(port, Buffer.from('garbage!'), 300), null);
  assert.equal(await udpQuery(port, Buffer.alloc(0), 300), null);
  const c = connect({ host: HOST, port });
  await new Promise<void>((resolve) => {
    c.on('connect', () => c.write(Buffer.from([0, 5, 1, 2, 3, 4, 5])));
    c.on('close', () => resolve());
    c.on('error', () => resolve());
  });
  const ok = await udpQuery(port, q('web'));
  assert.deepEqual(ok?.answers?.map((x) => x.data), ['172.30.0.2']);
});

test('close stops serving; setNames replaces the table', async () => {
  const { dns, port } = await startDns([]);
  dns.setNames(HOST, { endpoints: [{ names: ['other'], ipv4: '10.9.9.9' }] });
  assert.deepEqual((await udpQuery(port, q('other')))?.answers?.map((x) => x.data), ['10.9.9.9']);
  assert.deepEqual(dns.addresses(), [HOST]);
  await dns.close(HOST);
  assert.deepEqual(dns.addresses(), []);
  assert.equal(await udpQuery(port, q('other'), 300), null);
});

test('closing while a query is being forwarded drops the late answer without throwing', async () => {
  const dead = await silentUpstream();
  const dns = new EmbeddedDns({ upstreams: [`${HOST}:${dead}`], upstreamTimeoutMs: 300 });
  const port = await dns.listen(HOST, 0);
  cleanups.push(() => dns.closeAll());
  const pending = udpQuery(port, q('slow.example'), 800);
  await new Promise((r) => setTimeout(r, 50));
  await dns.close(HOST);
  await dns.listen(HOST, port);
  assert.equal(await pending, null);
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(dns.addresses(), [HOST]);
});
