// Holds each published host port with a bound socket, as Docker does without its proxy: no
// other program can take the port while a container publishes it, and a port already in use
// is refused at start with Docker's message. Traffic never reaches these sockets (nftables
// DNATs it before local delivery); they are reservations only.
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { ConflictError, InvalidArgumentError } from '../lib/index.ts';
import type { PortMapping, PortRequest } from './types.ts';

type Holder = Server | Socket;

export class PortReserver {
  readonly #held = new Map<string, Holder>();

  static key(proto: string, hostIp: string, port: number): string {
    return `${proto}/${hostIp || '*'}/${port}`;
  }

  /** Reserves a host port for the request (a free one in the range, or any when the range is 0). */
  async reserve(r: PortRequest): Promise<PortMapping> {
    if (r.hostPortFrom === 0) {
      const port = await this.#bind(r.proto, r.hostIp, 0);
      return { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: port };
    }
    let lastErr: unknown;
    for (let p = r.hostPortFrom; p <= r.hostPortTo; p++) {
      try {
        await this.#bind(r.proto, r.hostIp, p);
        return { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: p };
      } catch (err) { lastErr = err; }
    }
    throw lastErr;
  }

  /** Takes the port of a mapping that already exists (daemon restart); false when someone else has it. */
  async restore(m: PortMapping): Promise<boolean> {
    if (this.#held.has(PortReserver.key(m.proto, m.hostIp, m.hostPort))) return true;
    try { await this.#bind(m.proto, m.hostIp, m.hostPort); return true; } catch { return false; }
  }

  release(m: PortMapping): void {
    const k = PortReserver.key(m.proto, m.hostIp, m.hostPort);
    const h = this.#held.get(k);
    if (!h) return;
    this.#held.delete(k);
    h.close();
  }

  releaseAll(): void {
    for (const h of this.#held.values()) h.close();
    this.#held.clear();
  }

  async #bind(proto: string, hostIp: string, port: number): Promise<number> {
    const display = `${hostIp.includes(':') ? `[${hostIp}]` : hostIp || '0.0.0.0'}:${port}`;
    if (port !== 0 && this.#held.has(PortReserver.key(proto, hostIp, port))) {
      throw new ConflictError(`Bind for ${display} failed: port is already allocated`);
    }
    // SCTP has no socket in Node: the nftables rule alone publishes it.
    if (proto === 'sctp') {
      if (port === 0) throw new ConflictError('a random host port cannot be chosen for sctp; give one');
      return port;
    }
    const holder: Holder = proto === 'udp' ? createSocket({ type: hostIp.includes(':') ? 'udp6' : 'udp4' }) : createServer();
    const bound = await new Promise<number>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        holder.close();
        if (err.code === 'EADDRINUSE') reject(new ConflictError(`Bind for ${display} failed: port is already allocated`));
        else if (err.code === 'EADDRNOTAVAIL') reject(new InvalidArgumentError(`listen ${proto} ${display}: bind: cannot assign requested address`));
        else reject(err);
      };
      holder.once('error', onError);
      const done = (): void => {
        holder.off('error', onError);
        const a = holder.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      };
      if (proto === 'udp') (holder as Socket).bind({ address: hostIp || '0.0.0.0', port, exclusive: true }, done);
      else (holder as Server).listen({ host: hostIp || '0.0.0.0', port, exclusive: true }, done);
    });
    // Reservations must not keep the daemon's event loop alive on their own.
    holder.unref();
    this.#held.set(PortReserver.key(proto, hostIp, bound), holder);
    return bound;
  }
}
