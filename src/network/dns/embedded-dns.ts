// The embedded DNS server: one UDP socket and one TCP listener per address (the bridge
// gateway of each user-defined network), each with that network's NameTable. Containers
// on the network use the gateway as their nameserver. Names in the table are answered
// here (A/AAAA/PTR, TTL 600; MX of a known name: NOERROR, no records); everything else
// goes to the asking container's own resolvers (`--dns`) or else the host's, over UDP for UDP queries and TCP for TCP queries, each
// upstream in turn with a timeout (an upstream SERVFAIL/REFUSED also moves on), SERVFAIL
// when all fail, REFUSED when too many queries are in flight. Malformed packets are dropped; a socket error never takes the daemon down.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Logger } from '../../lib/index.ts';
import {
  decide, decodeQuery, EDNS_MAX_SIZE, ednsSize, encodeForUdp, isUpstreamFailure, refused, servfail, UDP_MIN_SIZE,
} from './answer.ts';
import { CompiledTable, type NameTable } from './name-table.ts';
import { parseUpstream, queryTcp, queryUdp, type Upstream } from './upstream.ts';

export interface EmbeddedDnsOptions {
  /** The host's resolvers: "ip" or "ip:port" ("[v6]:port"). */
  upstreams: readonly string[];
  log?: Pick<Logger, 'debug' | 'warn'>;
  /** Per upstream, per attempt (Docker's extIOTimeout is 4 s). */
  upstreamTimeoutMs?: number;
  /** Forwarded queries in flight at once; beyond that SERVFAIL (Docker: 100). */
  maxConcurrentForwards?: number;
  /** An idle TCP client connection is closed after this long. */
  tcpIdleTimeoutMs?: number;
}

interface Listener {
  address: string;
  port: number;
  udp: Socket;
  tcp: Server;
  conns: Set<TcpSocket>;
}

const noLog: Pick<Logger, 'debug' | 'warn'> = { debug: () => undefined, warn: () => undefined };

export class EmbeddedDns {
  #upstreams: Upstream[] = [];
  readonly #log: Pick<Logger, 'debug' | 'warn'>;
  readonly #timeoutMs: number;
  readonly #maxForwards: number;
  readonly #idleMs: number;
  readonly #listeners = new Map<string, Listener>();
  readonly #tables = new Map<string, CompiledTable>();
  #inFlight = 0;
  #queryCount = 0;

  constructor(opts: EmbeddedDnsOptions) {
    this.#log = opts.log ?? noLog;
    this.#timeoutMs = opts.upstreamTimeoutMs ?? 4000;
    this.#maxForwards = opts.maxConcurrentForwards ?? 100;
    this.#idleMs = opts.tcpIdleTimeoutMs ?? 10_000;
    this.setUpstreams(opts.upstreams);
  }

  /** Replaces the upstream resolvers (e.g. after the host's resolv.conf changed). */
  setUpstreams(upstreams: readonly string[]): void {
    const parsed: Upstream[] = [];
    for (const u of upstreams) {
      const up = parseUpstream(u);
      if (up) parsed.push(up);
      else this.#log.warn({ upstream: u }, 'dns: ignoring an upstream that is not an address');
    }
    this.#upstreams = parsed;
  }

  /** Sets (replaces) the names served on an address; may be called before listen. */
  setNames(address: string, table: NameTable): void {
    this.#tables.set(address, new CompiledTable(table));
  }

  /** The addresses being served. */
  addresses(): string[] {
    return [...this.#listeners.keys()];
  }

  /**
   * Serves UDP and TCP on address:port (port 0: a free port, the same for both). Resolves
   * with the port. Listening again on a served address is a no-op.
   */
  async listen(address: string, port = 53): Promise<number> {
    const existing = this.#listeners.get(address);
    if (existing) return existing.port;
    let lastErr: unknown;
    for (let attempt = 0; attempt < (port === 0 ? 8 : 1); attempt++) {
      const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind({ address, port, exclusive: true }, () => {
            udp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        udp.close();
        throw e;
      }
      const bound = udp.address().port;
      const conns = new Set<TcpSocket>();
      const tcp = createServer((c) => this.#onTcp(address, c, conns));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen({ host: address, port: bound, exclusive: true }, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        lastErr = e;
        udp.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && port === 0) continue;
        throw e;
      }
      const l: Listener = { address, port: bound, udp, tcp, conns };
      udp.on('error', (err) => this.#log.warn({ address, err: String(err) }, 'dns: udp socket error'));
      udp.on('message', (msg, rinfo) => { void this.#onUdp(l, msg, rinfo); });
      tcp.on('error', (err) => this.#log.warn({ address, err: String(err) }, 'dns: tcp listener error'));
      this.#listeners.set(address, l);
      this.#log.debug({ address, port: bound }, 'dns: listening');
      return bound;
    }
    throw lastErr;
  }

  /** Stops serving an address and forgets its names. */
  async close(address: string): Promise<void> {
    this.#tables.delete(address);
    const l = this.#listeners.get(address);
    if (!l) return;
    this.#listeners.delete(address);
    for (const c of l.conns) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => { try { l.udp.close(() => resolve()); } catch { resolve(); } }),
      new Promise<void>((resolve) => { l.tcp.close(() => resolve()); }),
    ]);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#listeners.keys()].map((a) => this.close(a)));
    this.#tables.clear();
  }

  /** Answers one query; null means send nothing. `maxSize` is set for UDP. */
  async #handle(address: string, msg: Buffer, transport: 'udp' | 'tcp', client: string): Promise<Buffer | null> {
    const q = decodeQuery(msg);
    if (q === null) {
      this.#log.debug({ address, bytes: msg.length }, 'dns: dropped a malformed packet');
      return null;
    }
    const maxSize = transport === 'udp' ? Math.min(ednsSize(q) ?? UDP_MIN_SIZE, EDNS_MAX_SIZE) : 0xffff;
    const table = this.#tables.get(address);
    const decision = decide(q, table, this.#queryCount++);
    if (decision.action === 'drop') return null;
    if (decision.action === 'answer') {
      return transport === 'udp' ? encodeForUdp(decision.packet, maxSize) : dnsPacket.encode(decision.packet);
    }
    if (table !== undefined && !table.forward) return encodeForUdp(servfail(q), maxSize);
    if (this.#inFlight >= this.#maxForwards) {
      this.#log.warn({ limit: this.#maxForwards }, 'dns: too many concurrent forwarded queries');
      return encodeForUdp(refused(q), maxSize);
    }
    const reply = await this.#forward(msg, transport, table?.upstreamsFor(client) ?? this.#upstreams);
    if (reply !== null) return reply;
    this.#log.debug({ address, name: q.questions[0]?.name }, 'dns: no upstream answered');
    return encodeForUdp(servfail(q), maxSize);
  }

  /** Each upstream in turn; a timeout, an error, SERVFAIL or REFUSED moves on to the next. */
  async #forward(query: Buffer, transport: 'udp' | 'tcp', upstreams: readonly Upstream[]): Promise<Buffer | null> {
    this.#inFlight++;
    try {
      for (const up of upstreams) {
        if (this.#isSelf(up)) continue;
        const reply = transport === 'udp'
          ? await queryUdp(up, query, this.#timeoutMs)
          : await queryTcp(up, query, this.#timeoutMs);
        if (reply !== null && !isUpstreamFailure(reply)) return reply;
        this.#log.debug({ upstream: `${up.host}:${up.port}`, transport, failed: reply !== null }, 'dns: upstream did not answer');
      }
      return null;
    } finally {
      this.#inFlight--;
    }
  }

  /** Forwarding to one of our own listeners would loop. */
  #isSelf(up: Upstream): boolean {
    const l = this.#listeners.get(up.host);
    return l !== undefined && l.port === up.port;
  }

  async #onUdp(l: Listener, msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    let reply: Buffer | null;
    try {
      reply = await this.#handle(l.address, msg, 'udp', rinfo.address);
    } catch (e) {
      this.#log.warn({ address: l.address, err: String(e) }, 'dns: failed to handle a query');
      return;
    }
    // The listener may have been closed (and another opened) while the query was forwarded.
    if (reply === null || this.#listeners.get(l.address) !== l) return;
    try {
      l.udp.send(reply, rinfo.port, rinfo.address, (err) => {
        if (err) this.#log.debug({ address: l.address, err: String(err) }, 'dns: udp send failed');
      });
    } catch (e) {
      this.#log.debug({ address: l.address, err: String(e) }, 'dns: udp send failed');
    }
  }

  #onTcp(address: string, conn: TcpSocket, conns: Set<TcpSocket>): void {
    conns.add(conn);
    conn.setTimeout(this.#idleMs, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('close', () => conns.delete(conn));
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (buf.length >= 2) {
          const n = buf.readUInt16BE(0);
          if (buf.length < 2 + n) break;
          const msg = buf.subarray(2, 2 + n);
          buf = buf.subarray(2 + n);
          let reply: Buffer | null = null;
          try {
            reply = await this.#handle(address, msg, 'tcp', conn.remoteAddress ?? '');
          } catch (e) {
            this.#log.warn({ address, err: String(e) }, 'dns: failed to handle a query');
          }
          if (reply === null) {
            // A malformed message on a stream: the framing cannot be trusted any more.
            conn.destroy();
            return;
          }
          if (conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          conn.write(Buffer.concat([len, reply]));
        }
      } finally {
        busy = false;
      }
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0) && !conn.destroyed) void pump();
    };
    conn.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      void pump();
    });
  }
}
