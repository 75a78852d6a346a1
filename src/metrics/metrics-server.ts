// --metrics-addr host:port: GET /metrics in the Prometheus text format, on its own listener
// (as dockerd's metrics-addr), so scrapes never touch the Engine API socket.
import { createServer, type Server } from 'node:http';
import { InvalidArgumentError, type Logger } from '../lib/index.ts';
import type { EngineMetrics } from './engine-metrics.ts';

export function parseMetricsAddr(addr: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(addr);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new InvalidArgumentError(`invalid metrics-addr ${JSON.stringify(addr)}: use host:port, e.g. 127.0.0.1:9323`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

export class MetricsServer {
  #server: Server | null = null;

  constructor(private readonly metrics: EngineMetrics, private readonly log: Logger) {}

  async listen(addr: string): Promise<number> {
    const { host, port } = parseMetricsAddr(addr);
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
        return;
      }
      this.metrics.text().then((body) => {
        res.writeHead(200, { 'Content-Type': this.metrics.contentType }).end(body);
      }, (err: Error) => {
        this.log.warn({ err: err.message }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
        ? new InvalidArgumentError(`metrics-addr ${addr}: address already in use`) : err));
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const a = server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  close(): void {
    this.#server?.close();
    this.#server = null;
  }
}
