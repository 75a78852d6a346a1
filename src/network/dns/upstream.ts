// Forwarding to the host's resolvers (the nameservers of the host's /etc/resolv.conf;
// berthd runs in the host network namespace, so loopback ones such as 127.0.0.53 work).
// Each upstream is tried in turn with a timeout; the query goes out under a fresh random
// id, and only a response with that id from that upstream is accepted.
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { connect, isIP, isIPv6 } from 'node:net';
import { messageId, withId } from './answer.ts';

export interface Upstream {
  host: string;
  port: number;
}

/** "1.1.1.1", "1.1.1.1:5353", "::1", "[::1]:5353"; null when not an address. */
export function parseUpstream(text: string): Upstream | null {
  const s = text.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return makeUpstream(bracket[1] ?? '', bracket[2]);
  if (isIP(s.split('%')[0] ?? '') !== 0) return makeUpstream(s, undefined);
  const hostPort = /^([\d.]+):(\d+)$/.exec(s);
  if (hostPort) return makeUpstream(hostPort[1] ?? '', hostPort[2]);
  return null;
}

function makeUpstream(host: string, port: string | undefined): Upstream | null {
  if (isIP(host.split('%')[0] ?? '') === 0) return null;
  const p = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) return null;
  return { host, port: p };
}

/** The `nameserver` addresses of a resolv.conf text, in order (zone ids kept). */
export function nameserversFromResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && isIP((m[1] ?? '').split('%')[0] ?? '') !== 0) out.push(m[1]!);
  }
  return out;
}

const MAX_TCP_MESSAGE = 65535;

/** Sends one UDP query to one upstream; resolves with the reply (original id) or null. */
export function queryUdp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    const origId = messageId(query);
    const id = randomInt(0, 0x10000);
    let done = false;
    const finish = (res: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch { /* already closed */ }
      resolve(res);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      if (rinfo.port !== up.port || messageId(msg) !== id || msg.length < 12) return;
      if (((msg[2] ?? 0) & 0x80) === 0) return; // not a response
      finish(withId(msg, origId));
    });
    try {
      sock.send(withId(query, id), up.port, up.host, (err) => {
        if (err) finish(null);
      });
    } catch {
      finish(null);
    }
  });
}

/** Sends one query over TCP (2-byte length framing); resolves with the reply or null. */
export function queryTcp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const origId = messageId(query);
    const id = randomInt(0, 0x10000);
    const sock = connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (res: Buffer | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(res);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    sock.on('close', () => finish(null));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, withId(query, id)]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_TCP_MESSAGE + 2) return finish(null);
      if (buf.length < 2) return;
      const n = buf.readUInt16BE(0);
      if (buf.length < 2 + n) return;
      const msg = buf.subarray(2, 2 + n);
      if (messageId(msg) !== id || msg.length < 12) return finish(null);
      finish(withId(msg, origId));
    });
  });
}
