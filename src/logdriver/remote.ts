// syslog, gelf and fluentd drivers: each record becomes one message, encoded (encoders.ts)
// and handed to a bounded sender (transport.ts). mode=non-blocking drops what does not fit
// in max-buffer-size; blocking mode (the default) makes the shipper wait for room, which
// never blocks the container: its output keeps going to conmon's capture file.
import { hostname as osHostname } from 'node:os';
import type { Driver } from './driver.ts';
import { forwardMessage, formatSyslog, gelfDatagrams, gelfDocument, gelfTcpFrame, renderTag, type ContainerInfo, type LogMessage } from './encoders.ts';
import { bufferLimit, fluentdOptions, gelfOptions, syslogOptions, type LogConfig } from './options.ts';
import { recordTime, type CaptureRecord } from './record.ts';
import { DatagramSender, StreamSender, type Sender } from './transport.ts';
import { PARTIAL_JOIN_MAX } from './json-file.ts';

class RemoteDriver implements Driver {
  readonly #sender: Sender;
  readonly #encode: (m: LogMessage) => Buffer[];
  readonly #blocking: boolean;

  constructor(sender: Sender, encode: (m: LogMessage) => Buffer[], blocking: boolean) {
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
    let frames: Buffer[];
    try { frames = this.#encode(m); } catch { return; }
    for (const f of frames) this.#sender.send(f);
  }

  flush(): Promise<void> { return this.#blocking ? this.#sender.room() : Promise.resolve(); }
  close(): Promise<void> {
    if (this.#held !== null) this.#send(this.#held);
    this.#held = null;
    return this.#sender.close(2000);
  }
}

/** Opens the driver's connection; rejects when the destination refuses (the start fails). */
export async function openRemote(cfg: LogConfig, info: ContainerInfo, onError: (err: unknown) => void): Promise<Driver> {
  const opts = cfg.Config;
  const limit = bufferLimit(opts);
  const blocking = opts.mode !== 'non-blocking';
  const tag = renderTag(opts.tag, info);
  switch (cfg.Type) {
    case 'syslog': {
      const o = syslogOptions(opts);
      const fmt = { format: o.format, facility: o.facility, tag, hostname: osHostname(), pid: process.pid };
      if (o.address.proto === 'udp') return new RemoteDriver(new DatagramSender(o.address, limit), (m) => [Buffer.from(formatSyslog(m, fmt))], blocking);
      const sender = await StreamSender.open(o.address, limit, true, onError).catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => [Buffer.from(formatSyslog(m, fmt) + '\n')], blocking);
    }
    case 'gelf': {
      const o = gelfOptions(opts);
      if (o.address.proto === 'udp') return new RemoteDriver(new DatagramSender(o.address, limit), (m) => gelfDatagrams(gelfDocument(m, info, tag), o.compression, o.level), blocking);
      const sender = await StreamSender.open(o.address, limit, true, onError).catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => [gelfTcpFrame(gelfDocument(m, info, tag))], blocking);
    }
    case 'fluentd': {
      const o = fluentdOptions(opts);
      const sender = await StreamSender.open(o.address, Math.min(limit, o.bufferLimit) || limit, !o.async, onError).catch((err: unknown) => { throw initError(err); });
      return new RemoteDriver(sender, (m) => [forwardMessage(m, tag, info, o.subSecond)], blocking);
    }
    default:
      throw new Error(`not a remote log driver: ${cfg.Type}`);
  }
}

// moby: "failed to initialize logging driver: dial tcp 127.0.0.1:1: connect: connection refused"
function initError(err: unknown): Error {
  return new Error(`failed to initialize logging driver: ${(err as Error).message}`);
}
