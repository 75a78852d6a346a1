// Hijacked connections for attach and exec start (Docker Engine API "hijacking"): a raw
// HTTP/1.1 request with `Connection: Upgrade` / `Upgrade: tcp`; on `101 UPGRADED` (or 200
// from old daemons) the socket carries the container's streams both ways. Written on
// node:net rather than undici's upgrade() so a refused request (404 "No such container")
// still yields the daemon's error message.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { errorFromStatus, errorMessageOf } from './errors.ts';
import type { DaemonHost } from './host.ts';
import { tlsConnectOptions, type TlsSettings } from './tls.ts';

export interface HijackRequest {
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** TLS to a tcp:// daemon. */
  tls?: TlsSettings;
}

export interface HijackedConnection {
  /** The raw connection: container output to read, stdin to write. */
  socket: Duplex;
  /** The response Content-Type: multiplexed-stream (no TTY) or raw-stream (TTY). */
  contentType: string | undefined;
  /** Half-closes our side: the container sees EOF on stdin, output keeps flowing. */
  closeWrite(): void;
  close(): void;
}

interface ParsedHead { status: number; headers: Record<string, string>; rest: Buffer }

/** Parses "HTTP/1.1 101 UPGRADED\r\nHeader: v\r\n\r\n…"; null until the head is complete. */
export function parseResponseHead(buf: Buffer): ParsedHead | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`malformed HTTP response ${JSON.stringify(lines[0] ?? '')}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers, rest: buf.subarray(end + 4) };
}

/** Decodes a chunked body (the daemon's error answers may be chunked). */
export function decodeChunked(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function hijack(host: DaemonHost, req: HijackRequest, hostHeader = 'api.moby.localhost'): Promise<HijackedConnection> {
  return new Promise((resolve, reject) => {
    const socket = host.kind === 'unix' ? connect({ path: host.socketPath })
      : req.tls ? tlsConnect({ host: host.hostname, port: host.port, servername: host.hostname, ...tlsConnectOptions(req.tls) })
        : connect({ host: host.hostname, port: host.port });
    let head = Buffer.alloc(0);
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once(req.tls && host.kind === 'tcp' ? 'secureConnect' : 'connect', () => {
      const body = req.body ?? '';
      const headers: Record<string, string> = {
        Host: hostHeader,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: 'Upgrade',
        Upgrade: 'tcp',
        ...req.headers,
      };
      const lines = [`POST ${req.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    });
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      let parsed: ParsedHead | null;
      try {
        parsed = parseResponseHead(head);
      } catch (e) {
        fail(e as Error);
        return;
      }
      if (parsed === null) return;
      socket.off('data', onData);
      if (parsed.status === 101 || parsed.status === 200) {
        settled = true;
        socket.off('error', fail);
        socket.pause();
        if (parsed.rest.length > 0) socket.unshift(parsed.rest);
        resolve({
          socket,
          contentType: parsed.headers['content-type'],
          closeWrite: () => { socket.end(); },
          close: () => { socket.destroy(); },
        });
        return;
      }
      readErrorBody(socket, parsed).then(
        (text) => fail(errorFromStatus(parsed.status, errorMessageOf(parsed.status, parsed.headers['content-type'], text))),
        fail,
      );
    };
    socket.on('data', onData);
  });
}

function readErrorBody(socket: Socket, head: ParsedHead): Promise<string> {
  return new Promise((resolve) => {
    let body = head.rest;
    const length = head.headers['content-length'];
    const chunked = (head.headers['transfer-encoding'] ?? '').includes('chunked');
    const done = (): void => {
      socket.removeAllListeners('data');
      resolve((chunked ? decodeChunked(body) : body).toString('utf8'));
    };
    const complete = (): boolean => (length !== undefined && body.length >= Number(length))
      || (chunked && body.includes('0\r\n\r\n'));
    if (complete()) { done(); return; }
    socket.on('data', (c: Buffer) => {
      body = Buffer.concat([body, c]);
      if (complete()) done();
    });
    socket.once('end', done);
    socket.once('close', done);
  });
}
