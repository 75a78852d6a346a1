// syslog, gelf and fluentd drivers: each record becomes one message, encoded (encoders.ts)
// and handed to a bounded sender (transport.ts). mode=non-blocking drops what does not fit
// in max-buffer-size; blocking mode (the default) makes the shipper wait for room, which
// never blocks the container: its output keeps going to conmon's capture file.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Driver } from './driver.ts';
import { extraAttributes, renderTag } from './attrs.ts';
import { forwardMessage, formatSyslog, frameSyslog, gelfDatagrams, gelfDocument, gelfTcpFrame, type ContainerInfo, type LogMessage } from './encoders.ts';
import { bufferLimit, fluentdOptions, gelfOptions, syslogOptions, type Address, type LogConfig, type SyslogOptions } from './options.ts';
import { recordTime, type CaptureRecord } from './record.ts';
import { DatagramSender, StreamSender, UnixDatagramSender, dial, type Sender } from './transport.ts';
import { PARTIAL_JOIN_MAX } from './json-file.ts';

interface Frame { b: Buffer; ack?: string }

class RemoteDriver implements Driver {
  readonly #sender: Sender;
  readonly #encode: (m: LogMessage) => Frame[];
  readonly #blocking: boolean;

  constructor(sender: Sender, encode: (m: LogMessage) => Frame[], blocking: boolean) {
    this.#sender = sender;
    this.#encode = encode;
    this.#blocking = blocking;
  }

  get dropped(): number { return this.#sender.dropped; }

  /** A P record (conmon splits lines at its 8 KiB reads) waiting for the rest of its line. */
  #held: LogMessage | null = null;

  record(r: CaptureRecord): void {
    const line = r.buf.toString('utf8', r.payloadStart, r.payloadEnd);
    const stream = r.stream === 1 ? 'stdout' : 'stderr';
    const held = this.#held;
    this.#held = null;
    let m: LogMessage;
    if (held !== null && held.stream === stream) {
      m = { ...held, line: held.line + line, partial: r.partial };
    } else {
      if (held !== null) this.#send(held);
      const { sec, nsec } = recordTime(r);
      m = { stream, line, sec, nsec, partial: r.partial };
    }
    // Like dockerd, which cuts lines only at 16 KiB.
    if (m.partial && m.line.length < PARTIAL_JOIN_MAX) { this.#held = m; return; }
    this.#send(m);
  }

  #send(m: LogMessage): void {
    let frames: Frame[];
    try { frames = this.#encode(m); } catch { return; }
    for (const f of frames) this.#sender.send(f.b, f.ack);
  }

  flush(): Promise<void> { return this.#blocking ? this.#sender.room() : Promise.resolve(); }
  close(): Promise<void> {
    if (this.#held !== null) this.#send(this.#held);
    this.#held = null;
    return this.#sender.close(2000);
  }
}

/** moby parseTLSConfig: CA, client certificate and key files; skip-verify. Read at open (a missing file fails the start). */
function tlsOptions(o: SyslogOptions): ConnectionOptions {
  const read = (p: string | undefined): Buffer | undefined => {
    if (p === undefined) return undefined;
    try { return readFileSync(p); } catch (err) { throw new Error(`failed to initialize logging driver: could not read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`); }
  };
  const ca = read(o.tls.ca);
  const cert = read(o.tls.cert);
  const key = read(o.tls.key);
  return { rejectUnauthorized: !o.tls.skipVerify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/**
 * Docker's default syslog address (srslog unixSyslog): /dev/log as a datagram socket (what
 * rsyslog and journald listen on), else as a stream socket.
 */
export async function defaultSyslogAddress(path = '/dev/log'): Promise<Address> {
  const stream: Address = { proto: 'unix', host: '', port: 0, path };
  try {
    (await dial(stream, 2000)).destroy();
    return stream;
  } catch (err) {
    if ((err as { code?: string }).code === 'EPROTOTYPE') return { ...stream, proto: 'unixgram' };
    throw err;
  }
}

/** Opens the driver's connection; rejects when the destination refuses (the start fails). */
export async function openRemote(cfg: LogConfig, info: ContainerInfo, onError: (err: unknown) => void): Promise<Driver> {
  const opts = cfg.Config;
  const limit = bufferLimit(opts);
  const blocking = opts.mode !== 'non-blocking';
  const tag = renderTag(opts.tag, info);
  const one = (b: Buffer): Frame[] => [{ b }];
  switch (cfg.Type) {
    case 'syslog': {
      const o = syslogOptions(opts);
      const fmt = { format: o.format, facility: o.facility, tag, hostname: osHostname(), pid: process.pid };
      const address = o.address ?? await defaultSyslogAddress().catch((err: unknown) => { throw initError(err); });
      if (address.proto === 'udp') return new RemoteDriver(new DatagramSender(address, limit), (m) => one(Buffer.from(formatSyslog(m, fmt))), blocking);
      if (address.proto === 'unixgram') return new RemoteDriver(new UnixDatagramSender(address.path, limit, onError), (m) => one(Buffer.from(formatSyslog(m, fmt))), blocking);
      const tls = address.proto === 'tls' ? tlsOptions(o) : undefined;
      const octets = address.proto === 'tls' && (o.format === 'rfc5424' || o.format === 'rfc5424micro');
      const sender = await StreamSender.open(address, limit, true, onError, tls ? { tls } : {}).catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => one(frameSyslog(formatSyslog(m, fmt), octets)), blocking);
    }
    case 'gelf': {
      const o = gelfOptions(opts);
      const extra = extraAttributes(opts, info);
      if (o.address.proto === 'udp') return new RemoteDriver(new DatagramSender(o.address, limit), (m) => gelfDatagrams(gelfDocument(m, info, tag, extra), o.compression, o.level).map((b) => ({ b })), blocking);
      const sender = await StreamSender.open(o.address, limit, true, onError, { retry: o.retry }).catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => one(gelfTcpFrame(gelfDocument(m, info, tag, extra))), blocking);
    }
    case 'fluentd': {
      const o = fluentdOptions(opts);
      const extra = extraAttributes(opts, info);
      const sender = await StreamSender.open(o.address, Math.min(limit, o.bufferLimit) || limit, !o.async, onError, { retry: o.retry, acks: o.requestAck, ackTimeoutMs: o.ackTimeoutMs })
        .catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => {
        const chunk = o.requestAck ? randomBytes(16).toString('base64') : undefined;
        return [{ b: forwardMessage(m, tag, info, o.subSecond, extra, chunk), ...(chunk !== undefined ? { ack: chunk } : {}) }];
      }, blocking);
    }
    default:
      throw new Error(`not a remote log driver: ${cfg.Type}`);
  }
}

// moby: "failed to initialize logging driver: dial tcp 127.0.0.1:1: connect: connection refused"
function initError(err: unknown): Error {
  const msg = (err as Error).message;
  return new Error(msg.startsWith('failed to initialize logging driver') ? msg : `failed to initialize logging driver: ${msg}`);
}
