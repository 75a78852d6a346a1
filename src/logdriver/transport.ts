// Senders for remote drivers, with a bounded queue so a slow or dead destination never
// grows berthd's memory and never holds up anything but the shipper of that container:
//   StreamSender  TCP or unix stream; connects once at start (a refusal fails the start, as
//                 Docker does) unless lazy; reconnects with back-off after a failure; bytes
//                 beyond the limit are dropped and counted.
//   DatagramSender  UDP; never waits; datagrams beyond the limit of in-flight bytes are dropped.
import { createConnection, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Address } from './options.ts';

export interface Sender {
  /** Queues bytes (one frame/datagram); false when dropped because the buffer is full. */
  send(b: Buffer): boolean;
  /** Resolves when the queue is below its limit (for blocking mode) or the sender is closed. */
  room(): Promise<void>;
  /** Waits up to `ms` for the queue to empty, then closes. */
  close(ms: number): Promise<void>;
  readonly dropped: number;
}

function describe(a: Address): string {
  return a.proto === 'unix' ? `unix ${a.path}` : `${a.proto} ${a.host}:${a.port}`;
}

/** Connects once; rejects with Docker's wording ("dial tcp …: connect: connection refused"). */
function dial(a: Address, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = a.proto === 'unix' ? createConnection({ path: a.path }) : createConnection({ host: a.host, port: a.port });
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`dial ${describe(a)}: i/o timeout`)); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s); });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ENOENT' ? 'connect: no such file or directory' : err.message;
      reject(new Error(`dial ${describe(a)}: ${why}`));
    });
  });
}

export class StreamSender implements Sender {
  readonly #a: Address;
  readonly #limit: number;
  readonly #onError: (err: unknown) => void;
  #sock: Socket | null = null;
  #queue: Buffer[] = [];
  #queued = 0;
  #closed = false;
  #backoff = 250;
  #timer: NodeJS.Timeout | null = null;
  #waiters: (() => void)[] = [];
  dropped = 0;

  private constructor(a: Address, limit: number, onError: (err: unknown) => void) {
    this.#a = a;
    this.#limit = limit;
    this.#onError = onError;
  }

  /** eager: the first connection must succeed (start fails otherwise). */
  static async open(a: Address, limit: number, eager: boolean, onError: (err: unknown) => void): Promise<StreamSender> {
    const s = new StreamSender(a, limit, onError);
    if (eager) s.#adopt(await dial(a, 5000));
    else s.#reconnect(0);
    return s;
  }

  send(b: Buffer): boolean {
    if (this.#closed) return false;
    const sock = this.#sock;
    if (sock !== null && this.#queue.length === 0 && sock.writableLength < this.#limit) {
      sock.write(b);
      return true;
    }
    if (this.#queued + b.length > this.#limit) { this.dropped++; return false; }
    this.#queue.push(b);
    this.#queued += b.length;
    return true;
  }

  room(): Promise<void> {
    if (this.#closed || this.#pending() < this.#limit / 2) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#pending() > 0 && this.#sock !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#sock?.end();
    this.#sock?.destroy();
    this.#wake();
  }

  #pending(): number { return this.#queued + (this.#sock?.writableLength ?? 0); }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  #adopt(sock: Socket): void {
    this.#sock = sock;
    this.#backoff = 250;
    sock.setNoDelay(true);
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.#sock === sock) this.#sock = null;
      if (!this.#closed) this.#reconnect(this.#backoff);
    });
    sock.on('drain', () => this.#pump());
    // A reading peer (fluentd acks, a closing server): data is ignored, the close handled above.
    sock.on('data', () => undefined);
    this.#pump();
  }

  #reconnect(delay: number): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      dial(this.#a, 5000).then((s) => {
        if (this.#closed) { s.destroy(); return; }
        this.#adopt(s);
      }, (err: unknown) => {
        this.#onError(err);
        this.#backoff = Math.min(this.#backoff * 2, 30_000);
        this.#reconnect(this.#backoff);
      });
    }, delay);
    this.#timer.unref();
  }

  #pump(): void {
    const sock = this.#sock;
    while (sock !== null && this.#queue.length > 0 && sock.writableLength < this.#limit) {
      const b = this.#queue.shift()!;
      this.#queued -= b.length;
      sock.write(b);
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
    if (this.#inflight + b.length > this.#limit) { this.dropped++; return false; }
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
