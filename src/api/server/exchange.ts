// One API request and its response, whether it came as a plain request or as an HTTP
// upgrade (attach and exec start, "Upgrade: tcp"). Handlers use the same calls either way:
// json/empty/error for ordinary answers, stream() for chunked bodies (logs, events, wait),
// hijack() for the bidirectional attach stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError, messageOf, kindOf } from '../../lib/index.ts';
import { statusOf } from './http-status.ts';

export interface Hijacked {
  write(chunk: Buffer): void;
  end(): void;
  onInput(data: (chunk: Buffer) => void, end: () => void): void;
  /** The client went away. */
  onClose(fn: () => void): void;
}

export interface BodyStream {
  write(chunk: string | Buffer): boolean;
  end(): void;
  /** Resolves when the client can take more (back-pressure). */
  drained(): Promise<void>;
  /** Drops the connection without flushing (a client that stopped reading). */
  destroy(): void;
}

export class Exchange {
  params: Record<string, string> = {};
  version = '';
  /** The matched route's template (/containers/{id}/start), for metrics. */
  route = '';
  /** The status sent (0 until answered; 101 for an upgrade, 499 for a canceled request). */
  status = 0;
  readonly query: URLSearchParams;
  readonly path: string;
  readonly #abort = new AbortController();
  #answered = false;

  constructor(
    readonly req: IncomingMessage,
    private readonly res: ServerResponse | null,
    private readonly socket: Duplex | null,
    private head: Buffer | null,
    private readonly serverHeader: Record<string, string>,
  ) {
    const url = new URL(req.url ?? '/', 'http://berth');
    this.path = url.pathname;
    this.query = url.searchParams;
    const onClose = (): void => { if (!this.#abort.signal.aborted) this.#abort.abort(new Error('client disconnected')); };
    if (res) res.on('close', onClose); else socket?.on('close', onClose);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get isUpgrade(): boolean {
    return this.res === null;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Aborts when the client disconnects. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Query flag in Docker's style: 1/true/True are true; absent is `def`. */
  bool(name: string, def = false): boolean {
    const v = this.query.get(name);
    if (v === null || v === '') return def;
    return !(v === '0' || v.toLowerCase() === 'false');
  }

  int(name: string, def: number): number {
    const v = this.query.get(name);
    if (v === null || v === '') return def;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
    return Math.trunc(n);
  }

  /** Reads and parses a JSON body; an empty body is `{}` (Docker accepts it for most calls). */
  async json<T>(): Promise<T> {
    const text = (this.socket ? await this.#upgradeBody() : await this.#plainBody()).toString('utf8').trim();
    if (text === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidArgumentError(`invalid JSON: ${messageOf(err)}`, { cause: err });
    }
  }

  async #plainBody(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of this.req) {
      size += (c as Buffer).length;
      if (size > 16 * 1024 * 1024) throw new InvalidArgumentError('request body too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /**
   * On an upgraded connection the body arrives with the stream: Node hands over the bytes
   * after the headers as `head`. The first Content-Length bytes are the JSON body; the
   * rest is already stdin and stays in `head` for hijack().
   */
  async #upgradeBody(): Promise<Buffer> {
    const len = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isFinite(len) || len <= 0) return Buffer.alloc(0);
    if (len > 16 * 1024 * 1024) throw new InvalidArgumentError('request body too large');
    let buf = this.head ?? Buffer.alloc(0);
    const sock = this.socket!;
    while (buf.length < len) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (c: Buffer): void => { cleanup(); sock.pause(); resolve(c); };
        const onEnd = (): void => { cleanup(); resolve(null); };
        const cleanup = (): void => { sock.off('data', onData); sock.off('end', onEnd); sock.off('close', onEnd); };
        sock.on('data', onData); sock.on('end', onEnd); sock.on('close', onEnd);
        sock.resume();
      });
      if (chunk === null) throw new InvalidArgumentError('unexpected end of request body');
      buf = Buffer.concat([buf, chunk]);
    }
    this.head = buf.subarray(len);
    return buf.subarray(0, len);
  }

  #headers(extra: Record<string, string | number>): Record<string, string | number> {
    return { ...this.serverHeader, ...extra };
  }

  #rawHead(status: number, headers: Record<string, string | number>): string {
    // dockerd answers an upgrade with "101 UPGRADED"; some clients log the reason phrase.
    let s = `HTTP/1.1 ${status} ${status === 101 ? 'UPGRADED' : STATUS_CODES[status] ?? ''}\r\n`;
    for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
    return s + '\r\n';
  }

  send(status: number, body: string | Buffer | null, contentType = 'application/json', extra: Record<string, string> = {}): void {
    if (this.#answered) return;
    this.#answered = true;
    this.status = status;
    const buf = body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const headers = this.#headers({ ...extra, ...(buf === null ? {} : { 'Content-Type': contentType, 'Content-Length': buf.length }) });
    if (this.res) {
      this.res.writeHead(status, headers);
      this.res.end(buf ?? undefined);
    } else if (this.socket) {
      this.socket.end(Buffer.concat([Buffer.from(this.#rawHead(status, { ...headers, ...(buf === null ? { 'Content-Length': 0 } : {}), Connection: 'close' })), buf ?? Buffer.alloc(0)]));
    }
  }

  sendJson(status: number, value: unknown): void {
    this.send(status, JSON.stringify(value) + '\n');
  }

  sendEmpty(status: number): void {
    this.send(status, null);
  }

  sendText(status: number, text: string): void {
    this.send(status, text, 'text/plain; charset=utf-8');
  }

  sendError(err: unknown): void {
    const status = statusOf(err);
    if (kindOf(err) === 'canceled') {
      this.#answered = true;
      this.status = 499;
      this.res?.destroy();
      this.socket?.destroy();
      return;
    }
    if (status === 304) { this.sendEmpty(304); return; }
    this.sendJson(status, { message: messageOf(err) });
  }

  /** Starts a streamed 200 response (headers are flushed at once, as Docker does for wait/events). */
  stream(contentType: string, extra: Record<string, string> = {}): BodyStream {
    this.#answered = true;
    this.status = 200;
    if (this.res) {
      const res = this.res;
      res.writeHead(200, this.#headers({ ...extra, 'Content-Type': contentType }));
      res.flushHeaders();
      return {
        write: (c) => res.write(c),
        end: () => res.end(),
        drained: () => new Promise((r) => {
          if (!res.writableNeedDrain) { r(); return; }
          const done = (): void => { res.off('drain', done); res.off('close', done); r(); };
          res.once('drain', done); res.once('close', done);
        }),
        destroy: () => { res.destroy(); },
      };
    }
    const sock = this.socket!;
    sock.write(this.#rawHead(200, this.#headers({ 'Content-Type': contentType, Connection: 'close' })));
    return {
      write: (c) => sock.write(c),
      end: () => sock.end(),
      drained: () => new Promise((r) => {
        if (!sock.writableNeedDrain) { r(); return; }
        const done = (): void => { sock.off('drain', done); sock.off('close', done); r(); };
        sock.once('drain', done); sock.once('close', done);
      }),
      destroy: () => { sock.destroy(); },
    };
  }

  /** Takes over the connection for a bidirectional stream (101 UPGRADED when asked for). */
  hijack(contentType: string): Hijacked {
    this.#answered = true;
    this.status = this.socket ? 101 : 200;
    if (this.socket) {
      const sock = this.socket;
      sock.write(this.#rawHead(101, this.#headers({ 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' })));
      if (typeof (sock as { setNoDelay?: (v: boolean) => void }).setNoDelay === 'function') (sock as unknown as { setNoDelay: (v: boolean) => void }).setNoDelay(true);
      return {
        write: (c) => { if (!sock.destroyed) sock.write(c); },
        end: () => { if (!sock.destroyed) sock.end(); },
        onInput: (data, end) => {
          const early = this.head;
          if (early && early.length > 0) data(early);
          sock.on('data', data);
          sock.on('end', end);
          sock.resume();
        },
        onClose: (fn) => { sock.on('close', fn); sock.on('error', () => undefined); },
      };
    }
    const res = this.res!;
    res.writeHead(200, this.#headers({ 'Content-Type': contentType }));
    res.flushHeaders();
    return {
      write: (c) => { if (!res.destroyed) res.write(c); },
      end: () => res.end(),
      onInput: (data, end) => { this.req.on('data', data); this.req.on('end', end); },
      onClose: (fn) => res.on('close', fn),
    };
  }
}
