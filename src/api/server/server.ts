// The Engine API server: node:http on a unix socket (and optionally TCP), every request and
// every upgrade request through one router. Errors become {"message": …} with the status
// of their kind; the server keeps serving whatever a handler throws.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { chmod, rm } from 'node:fs/promises';
import { kindOf, messageOf, type Logger } from '../../lib/index.ts';
import { API_VERSION } from '../types/index.ts';
import { Exchange } from './exchange.ts';
import { Router, type Route } from './router.ts';
import { statusOf } from './http-status.ts';

export interface ApiServerOptions {
  serverVersion: string;
  log: Logger;
  /** Told of every finished request (metrics). */
  observe?: (method: string, route: string, status: number, seconds: number) => void;
}

/** TLS for a TCP listener: the server's certificate, and the CA its clients' certificates must chain to. */
export interface ApiTlsOptions extends Pick<SecureContextOptions, 'ca' | 'cert' | 'key'> {
  /** Mutual TLS (dockerd --tlsverify): a client without a certificate from `ca` is refused. */
  verifyClients: boolean;
}

export class ApiServer {
  readonly #router = new Router();
  readonly #servers: Server[] = [];
  readonly #header: Record<string, string>;
  #sockets = new Set<Duplex>();
  #started = 0;

  constructor(private readonly o: ApiServerOptions) {
    this.#header = {
      'Api-Version': API_VERSION,
      'Docker-Experimental': 'false',
      Ostype: 'linux',
      Server: `berth/${o.serverVersion} (linux)`,
    };
  }

  addRoutes(routes: readonly Route[]): void {
    this.#router.add(routes);
  }

  /** Requests started since the server was made (the daemon's idle detection reads it). */
  get requestsStarted(): number {
    return this.#started;
  }

  async #dispatch(x: Exchange): Promise<void> {
    this.#started++;
    const t0 = performance.now();
    try {
      const handler = this.#router.resolve(x);
      await handler(x);
      if (!x.answered) x.sendEmpty(204);
      this.o.log.debug({ method: x.method, path: x.path, ms: Math.round((performance.now() - t0) * 10) / 10 }, 'request');
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500 && kindOf(err) !== 'canceled') this.o.log.error({ err, method: x.method, path: x.path }, 'request failed');
      else this.o.log.debug({ method: x.method, path: x.path, status, message: messageOf(err) }, 'request refused');
      if (!x.answered) x.sendError(err);
    }
    this.o.observe?.(x.method, x.route, x.status, (performance.now() - t0) / 1000);
  }

  #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#dispatch(new Exchange(req, res, null, null, this.#header));
  };

  #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    void this.#dispatch(new Exchange(req, null, socket, head, this.#header));
  };

  #make(tls?: ApiTlsOptions): Server {
    const base = { keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 };
    const s: Server = tls === undefined ? createServer(base, this.#onRequest) : createTlsServer({
      // Half-open like node:http's own sockets: a hijacked stream whose client closed its write
      // side (TLS close_notify, as `docker run` without -i sends) must still carry the output.
      ...base, allowHalfOpen: true, ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2',
      requestCert: tls.verifyClients, rejectUnauthorized: tls.verifyClients,
    }, this.#onRequest);
    // A TLS handshake that fails (no or a foreign client certificate) only closes that socket.
    s.on('tlsClientError', (err: Error) => this.o.log.warn({ reason: err.message }, 'TLS client refused'));
    s.on('upgrade', this.#onUpgrade);
    s.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); });
    s.on('connection', (sock) => { this.#sockets.add(sock); sock.on('close', () => this.#sockets.delete(sock)); });
    this.#servers.push(s);
    return s;
  }

  async listenUnix(path: string, mode = 0o660): Promise<void> {
    await rm(path, { force: true });
    const s = this.#make();
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(path, () => { s.off('error', reject); resolve(); }); });
    await chmod(path, mode);
  }

  async listenTcp(host: string, port: number, tls?: ApiTlsOptions): Promise<void> {
    const s = this.#make(tls);
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, host, () => { s.off('error', reject); resolve(); }); });
  }

  async close(): Promise<void> {
    for (const s of this.#servers) s.close();
    for (const sock of this.#sockets) sock.destroy();
    // Bounded: a connection that ignores being destroyed must not keep berthd from exiting.
    const closed = Promise.all(this.#servers.map((s) => new Promise<void>((r) => { if (!s.listening) r(); else s.once('close', () => r()); })));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
