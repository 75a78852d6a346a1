import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindOf } from '../lib/index.ts';
import { EngineClient } from './engine-client.ts';
import { encodeFrame, StdcopyDecoder } from './stdcopy.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Seen { method: string; url: string; body: string }

/** A fake daemon on a unix socket: routes by "METHOD /path", records what it saw. */
async function fakeDaemon(routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void>) {
  const seen: Seen[] = [];
  const socketPath = join(dir, `d${Math.random().toString(16).slice(2)}.sock`);
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const path = (req.url ?? '').split('?')[0]!.replace(/^\/v[0-9.]+/, '');
      res.setHeader('Api-Version', '1.45');
      const handler = routes[`${req.method} ${path}`];
      if (handler) { handler(req, res, body); return; }
      if (path === '/_ping') { res.end('OK'); return; }
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ message: `page not found: ${path}` }));
    });
  });
  server.on('upgrade', (req, socket) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body: '' });
    if (!(req.url ?? '').includes('/containers/abc/attach')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 35\r\n\r\n{"message":"No such container: x"}\n');
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    socket.write(encodeFrame('stdout', 'hi\n'));
    socket.on('data', (c: Buffer) => socket.write(encodeFrame('stderr', `echo:${c.toString()}`)));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  after(() => server.close());
  return { seen, client: new EngineClient({ host: `unix://${socketPath}`, env: {} }) };
}

test('negotiates the API version and sends versioned requests with queries', async () => {
  const { seen, client } = await fakeDaemon({
    'GET /containers/json': (_q, res) => { res.setHeader('Content-Type', 'application/json'); res.end('[]'); },
  });
  const list = await client.containers.list({ all: true, limit: 3, filters: new Map([['status', ['exited']]]) });
  assert.deepEqual(list, []);
  assert.equal(seen[0]!.url, '/_ping');
  assert.equal(seen[1]!.url, '/v1.45/containers/json?all=1&limit=3&filters=%7B%22status%22%3A%7B%22exited%22%3Atrue%7D%7D');
  assert.equal(client.apiVersion(), '1.45');
  await client.close();
});

test('error answers become error kinds with the daemon message', async () => {
  const { client } = await fakeDaemon({
    'POST /containers/x/start': (_q, res) => {
      res.statusCode = 409;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"container is paused"}');
    },
  });
  await assert.rejects(client.containers.start('x'), (e: Error) => kindOf(e) === 'conflict' && e.message === 'container is paused');
  await assert.rejects(client.containers.inspect('nope'), (e: Error) => kindOf(e) === 'not-found' && /page not found/.test(e.message));
  await client.close();
});

test('wait and start run on separate connections', async () => {
  let release: (() => void) | null = null;
  const { seen, client } = await fakeDaemon({
    'POST /containers/c/wait': (_q, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.flushHeaders();
      release = () => res.end('{"StatusCode":3}');
    },
    'POST /containers/c/start': (_q, res) => { res.statusCode = 204; res.end(); release?.(); },
  });
  const waiting = client.containers.wait('c', 'next-exit');
  await new Promise((r) => setTimeout(r, 50));
  await client.containers.start('c');
  assert.deepEqual(await waiting, { StatusCode: 3 });
  assert.ok(seen.some((s) => s.url.endsWith('/containers/c/wait?condition=next-exit')));
  await client.close();
});

test('attach hijacks the connection; refused attaches carry the daemon error', async () => {
  const { client } = await fakeDaemon({});
  const conn = await client.containers.attach('abc', { stream: true, stdin: true, stdout: true, stderr: true });
  assert.equal(conn.contentType, 'application/vnd.docker.multiplexed-stream');
  const got: string[] = [];
  const dec = new StdcopyDecoder((s, p) => got.push(`${s}:${p.toString()}`));
  conn.socket.on('data', (c: Buffer) => dec.push(c));
  const ended = new Promise((r) => conn.socket.on('end', r));
  conn.socket.resume();
  conn.socket.write('ping');
  await new Promise((r) => setTimeout(r, 50));
  conn.closeWrite();
  await ended;
  assert.deepEqual(got, ['stdout:hi\n', 'stderr:echo:ping']);
  await assert.rejects(client.containers.attach('zzz', { stream: true }), (e: Error) => kindOf(e) === 'not-found' && e.message === 'No such container: x');
  await client.close();
});

test('an absent daemon is reported like docker does', async () => {
  const client = new EngineClient({ host: `unix://${join(dir, 'none.sock')}`, env: {} });
  await assert.rejects(client.system.version(), {
    message: `Cannot connect to the berth daemon at unix://${join(dir, 'none.sock')}. Is the berth daemon running?`,
  });
  await client.close();
});

test('events stream concatenated JSON and keep timeNano exact', async () => {
  const { seen, client } = await fakeDaemon({
    'GET /events': (_q, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.write('{"Type":"container","Action":"start","Actor":{"ID":"a","Attributes":{}},"time":1714564800,"timeNano":1714564800123456789}\n{"Type":"con');
      res.end('tainer","Action":"die","Actor":{"ID":"a","Attributes":{"exitCode":"0"}},"time":1714564801,"timeNano":1714564801000000001}\n');
    },
  });
  const events = [];
  for await (const e of client.system.events({ since: '10', filters: new Map([['type', ['container']]]) })) events.push(e);
  assert.deepEqual(events.map((e) => [e.Action, e.exactTimeNano]), [['start', 1714564800123456789n], ['die', 1714564801000000001n]]);
  assert.ok(seen.some((s) => s.url === '/v1.45/events?since=10&filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D'));
  await client.close();
});

test('tcp:// hosts use plain HTTP', async () => {
  const server = createServer((req, res) => {
    res.setHeader('Api-Version', '1.50');
    res.setHeader('Content-Type', 'application/json');
    res.end(req.url === '/_ping' ? 'OK' : JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const client = new EngineClient({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
  assert.equal(client.hostUrl, `tcp://127.0.0.1:${port}`);
  assert.deepEqual(await client.system.info(), { url: '/v1.50/info' });
  await client.close();
  server.close();
});
