// Senders for remote drivers, with a bounded queue so a slow or dead destination never
// grows berthd's memory and never holds up anything but the shipper of that container:
//   StreamSender  TCP or unix stream; connects once at start (a refusal fails the start, as
//                 Docker does) unless lazy; reconnects with back-off after a failure; bytes
//                 beyond the limit are dropped and counted.
//                 TLS (syslog's tcp+tls://) the same way. How it reconnects follows the
//                 driver's options (RetryPolicy: gelf-tcp-*, fluentd-retry-wait/-max-retries);
//                 after maxRetries failed attempts what is queued is dropped (counted), and the
//                 next message starts a new round. With acks (fluentd-request-ack), frames stay
//                 queued until the peer acknowledges them and are sent again after a reconnect.
//                 An ack that does not come within ackTimeoutMs (fluentd-read-timeout) fails
//                 the write as fluent-logger-golang's read deadline does: the connection is
//                 closed and the frames sent again on a new one (dialled at once, as its
//                 writeWithRetry does; the retry wait applies to failed dials); after
//                 maxRetries such failures in a row they are dropped (counted), so a peer that
//                 reads but never acknowledges cannot hold the shipper forever.
//   DatagramSender  UDP; never waits; datagrams beyond the limit of in-flight bytes are dropped.
//   UnixDatagramSender  a unix datagram socket (unixgram://, rsyslog's /dev/log), the same way.
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { DgramSocket } from 'node-unix-socket';
import { DEFAULT_RETRY, type Address, type RetryPolicy } from './options.ts';
import { decodeMsgpack } from './msgpack.ts';

export interface Sender {
  /** Queues bytes (one frame/datagram); false when dropped because the buffer is full. `ack`: the id the peer acknowledges. */
  send(b: Buffer, ack?: string): boolean;
  /** Resolves when the queue is below its limit (for blocking mode) or the sender is closed. */
  room(): Promise<void>;
  /** Waits up to `ms` for the queue to empty, then closes. */
  close(ms: number): Promise<void>;
  readonly dropped: number;
}

function describe(a: Address): string {
  return a.proto === 'unix' || a.proto === 'unixgram' ? `${a.proto} ${a.path}` : `${a.proto === 'tls' ? 'tcp' : a.proto} ${a.host}:${a.port}`;
}

/** Connects once; rejects with Docker's wording ("dial tcp …: connect: connection refused"). */
export function dial(a: Address, timeoutMs: number, tls?: ConnectionOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s: Socket = a.proto === 'unix' ? createConnection({ path: a.path })
      : a.proto === 'tls' ? tlsConnect({ ...tls, host: a.host, port: a.port, ...(isIP(a.host) ? {} : { servername: a.host }) })
        : createConnection({ host: a.host, port: a.port });
    const ready = a.proto === 'tls' ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`dial ${describe(a)}: i/o timeout`)); }, timeoutMs);
    s.once(ready, () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s); });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      s.destroy();
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ENOENT' ? 'connect: no such file or directory'
        : err.code === 'EPROTOTYPE' ? 'connect: protocol wrong type for socket' : err.message;
      reject(Object.assign(new Error(`dial ${describe(a)}: ${why}`), { code: err.code }));
    });
  });
}

export interface StreamOptions {
  retry?: RetryPolicy;
  tls?: ConnectionOptions;
  /** Frames carry an ack id; the peer answers msgpack maps {ack: id} (fluentd's forward protocol). */
  acks?: boolean;
  /** With acks: how long an ack may take before the write counts as failed (0: no limit). */
  ackTimeoutMs?: number;
}

interface Frame { b: Buffer; ack?: string | undefined; sentAt?: number }

export class StreamSender implements Sender {
  readonly #a: Address;
  readonly #limit: number;
  readonly #onError: (err: unknown) => void;
  readonly #retry: RetryPolicy;
  readonly #tls: ConnectionOptions | undefined;
  readonly #acks: boolean;
  readonly #ackTimeoutMs: number;
  /** Ack timeouts in a row (reset by an ack); at maxRetries the unacknowledged frames are dropped. */
  #ackFailures = 0;
  #ackTimer: NodeJS.Timeout | null = null;
  /** The next reconnect is a retried write, not a failed dial: no wait. */
  #redialNow = false;
  #sock: Socket | null = null;
  /** Not yet written (and, with acks, written but not acknowledged: #unacked). */
  #queue: Frame[] = [];
  #queued = 0;
  #unacked: Frame[] = [];
  #unackedBytes = 0;
  #inbox: Buffer = Buffer.alloc(0);
  #closed = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  #waiters: (() => void)[] = [];
  dropped = 0;

  private constructor(a: Address, limit: number, onError: (err: unknown) => void, o: StreamOptions) {
    this.#a = a;
    this.#limit = limit;
    this.#onError = onError;
    this.#retry = o.retry ?? DEFAULT_RETRY;
    this.#tls = o.tls;
    this.#acks = o.acks === true;
    this.#ackTimeoutMs = o.ackTimeoutMs ?? 0;
  }

  /** eager: the first connection must succeed (start fails otherwise). */
  static async open(a: Address, limit: number, eager: boolean, onError: (err: unknown) => void, o: StreamOptions = {}): Promise<StreamSender> {
    const s = new StreamSender(a, limit, onError, o);
    if (eager) s.#adopt(await dial(a, 5000, o.tls));
    else s.#reconnect(0);
    return s;
  }

  send(b: Buffer, ack?: string): boolean {
    if (this.#closed) return false;
    const sock = this.#sock;
    if (sock === null && this.#timer === null && !this.#dialing) this.#reconnect(0);
    if (sock !== null && this.#queue.length === 0 && sock.writableLength < this.#limit && this.#pending() + b.length <= this.#limit) {
      this.#write(sock, { b, ack });
      return true;
    }
    // A frame larger than the whole limit still goes when nothing else waits.
    if (this.#pending() > 0 && this.#pending() + b.length > this.#limit) { this.dropped++; return false; }
    this.#queue.push({ b, ack });
    this.#queued += b.length;
    return true;
  }

  room(): Promise<void> {
    if (this.#closed || this.#pending() < this.#limit / 2) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    // Connected, or about to reconnect (a failed write is retried): wait for the queue to empty.
    while (this.#pending() > 0 && (this.#sock !== null || this.#timer !== null || this.#dialing) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#sock?.end();
    this.#sock?.destroy();
    this.#wake();
  }

  #pending(): number { return this.#queued + this.#unackedBytes + (this.#sock?.writableLength ?? 0); }

  #write(sock: Socket, f: Frame): void {
    sock.write(f.b);
    if (this.#acks && f.ack !== undefined) {
      f.sentAt = Date.now();
      this.#unacked.push(f);
      this.#unackedBytes += f.b.length;
      if (this.#ackTimer === null && this.#ackTimeoutMs > 0) this.#armAckTimer(this.#ackTimeoutMs);
    }
  }

  #armAckTimer(ms: number): void {
    this.#ackTimer = setTimeout(() => { this.#ackTimer = null; this.#checkAcks(); }, ms);
    this.#ackTimer.unref();
  }

  /** The oldest unacknowledged frame waited longer than the ack timeout: the write failed. */
  #checkAcks(): void {
    const oldest = this.#unacked[0];
    if (this.#closed || oldest === undefined || this.#sock === null) return;
    const waited = Date.now() - (oldest.sentAt ?? 0);
    if (waited < this.#ackTimeoutMs) { this.#armAckTimer(this.#ackTimeoutMs - waited); return; }
    this.#ackFailures++;
    this.#onError(new Error(`fluent#write: no ack within ${this.#ackTimeoutMs} ms (attempt ${this.#ackFailures} of ${this.#retry.maxRetries}); closing the connection`));
    if (this.#ackFailures >= this.#retry.maxRetries) {
      // fluent-logger-golang: "failed to write after N attempts": those messages are lost.
      this.dropped += this.#unacked.length + this.#queue.length;
      this.#unacked = [];
      this.#unackedBytes = 0;
      this.#queue = [];
      this.#queued = 0;
      this.#ackFailures = 0;
      this.#wake();
    }
    // Closing requeues what is unacknowledged, and the write is tried again on a new connection.
    this.#redialNow = true;
    const sock = this.#sock;
    sock.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  #adopt(sock: Socket): void {
    this.#sock = sock;
    this.#attempt = 0;
    this.#inbox = Buffer.alloc(0);
    if ('setNoDelay' in sock) sock.setNoDelay(true);
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.#sock !== sock) return;
      this.#sock = null;
      // Unacknowledged frames go first on the next connection.
      if (this.#unacked.length > 0) {
        this.#queue.unshift(...this.#unacked);
        this.#queued += this.#unackedBytes;
        this.#unacked = [];
        this.#unackedBytes = 0;
      }
      const now = this.#redialNow;
      this.#redialNow = false;
      if (!this.#closed && this.#queue.length > 0) this.#reconnect(now ? 0 : this.#delay());
    });
    sock.on('drain', () => this.#pump());
    sock.on('data', (d: Buffer) => { if (this.#acks) this.#onAcks(d); });
    this.#pump();
  }

  /** Peer's {ack: id} maps: drops the acknowledged frames. */
  #onAcks(d: Buffer): void {
    this.#inbox = this.#inbox.length === 0 ? d : Buffer.concat([this.#inbox, d]);
    let at = 0;
    for (;;) {
      let r;
      try { r = decodeMsgpack(this.#inbox, at); } catch { break; }
      at = r.end;
      const id = (r.value as { ack?: unknown } | null)?.ack;
      const i = this.#unacked.findIndex((f) => f.ack === id);
      if (i >= 0) {
        this.#unackedBytes -= this.#unacked[i]!.b.length;
        this.#unacked.splice(i, 1);
        this.#ackFailures = 0;
      }
    }
    this.#inbox = this.#inbox.subarray(at);
    if (this.#pending() < this.#limit / 2) this.#wake();
  }

  #delay(): number {
    const r = this.#retry;
    return Math.min(r.delayMs * r.factor ** this.#attempt, r.maxDelayMs);
  }

  #dialing = false;

  #reconnect(delay: number): void {
    if (this.#closed || this.#timer || this.#dialing) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#dialing = true;
      dial(this.#a, 5000, this.#tls).then((s) => {
        this.#dialing = false;
        if (this.#closed) { s.destroy(); return; }
        this.#adopt(s);
      }, (err: unknown) => {
        this.#dialing = false;
        this.#onError(err);
        this.#attempt++;
        if (this.#attempt >= this.#retry.maxRetries) {
          // Given up (gelf-tcp-max-reconnect, fluentd-max-retries): what waits is dropped; the
          // next message starts a new round of attempts.
          this.dropped += this.#queue.length;
          this.#queue = [];
          this.#queued = 0;
          this.#attempt = 0;
          this.#wake();
          return;
        }
        this.#reconnect(this.#delay());
      });
    }, delay);
    this.#timer.unref();
  }

  #pump(): void {
    const sock = this.#sock;
    while (sock !== null && this.#queue.length > 0 && sock.writableLength < this.#limit) {
      const f = this.#queue.shift()!;
      this.#queued -= f.b.length;
      this.#write(sock, f);
    }
    if (this.#pending() < this.#limit / 2) this.#wake();
  }
}

export class DatagramSender implements Sender {
  readonly #sock: UdpSocket;
  readonly #a: Address;
  readonly #limit: number;
  #inflight = 0;
  dropped = 0;

  constructor(a: Address, limit: number) {
    this.#a = a;
    this.#limit = limit;
    this.#sock = createSocket(a.host.includes(':') ? 'udp6' : 'udp4');
    this.#sock.on('error', () => undefined);
    this.#sock.unref();
  }

  send(b: Buffer): boolean {
    if (this.#inflight > 0 && this.#inflight + b.length > this.#limit) { this.dropped++; return false; }
    this.#inflight += b.length;
    this.#sock.send(b, this.#a.port, this.#a.host, () => { this.#inflight -= b.length; });
    return true;
  }

  async room(): Promise<void> {
    while (this.#inflight > this.#limit / 2) await new Promise((r) => setTimeout(r, 5));
  }

  async close(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.#sock.close();
  }
}

/** unixgram://: one datagram per message, sent without waiting (MSG_DONTWAIT semantics via the addon's queue). */
export class UnixDatagramSender implements Sender {
  readonly #sock = new DgramSocket();
  readonly #path: string;
  readonly #limit: number;
  #inflight = 0;
  #closed = false;
  dropped = 0;

  constructor(path: string, limit: number, onError: (err: unknown) => void) {
    this.#path = path;
    this.#limit = limit;
    this.#sock.on('error', onError);
  }

  send(b: Buffer): boolean {
    if (this.#closed || (this.#inflight > 0 && this.#inflight + b.length > this.#limit)) { this.dropped++; return false; }
    this.#inflight += b.length;
    try {
      this.#sock.sendTo(b, 0, b.length, this.#path, (err) => {
        this.#inflight -= b.length;
        if (err) this.dropped++;
      });
    } catch {
      this.#inflight -= b.length;
      this.dropped++;
      return false;
    }
    return true;
  }

  async room(): Promise<void> {
    while (!this.#closed && this.#inflight > this.#limit / 2) await new Promise((r) => setTimeout(r, 5));
  }

  async close(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.#closed = true;
    this.#sock.close();
  }
}
