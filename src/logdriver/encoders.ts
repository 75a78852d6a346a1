// Wire formats of the remote drivers, as pure functions of one log message:
//   syslog  moby daemon/logger/syslog (srslog formatters): unix, rfc3164, rfc5424(micro);
//           stdout = severity info (6), stderr = err (3); LF-terminated on streams.
//   GELF    moby daemon/logger/gelf (go-gelf): GELF 1.1 JSON with Docker's extra fields;
//           UDP: compressed (gzip/zlib), chunked over 1420 bytes; TCP: JSON + NUL.
//   forward fluentd's forward protocol, Message mode: [tag, time, record], msgpack.
import { gzipSync, deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { encodeMsgpack, MsgpackExt } from './msgpack.ts';

/** One log line as the shipper hands it to a driver. */
export interface LogMessage {
  stream: 'stdout' | 'stderr';
  /** The line without its newline. */
  line: string;
  /** Unix seconds and nanoseconds of the record. */
  sec: number;
  nsec: number;
  partial: boolean;
}

/** What drivers know about the container (moby logger.Info). */
export interface ContainerInfo {
  id: string;
  name: string;
  imageId: string;
  imageName: string;
  command: string;
  created: string;
  hostname: string;
  daemonName: string;
  /** For the labels/env attribute options. */
  labels?: Record<string, string>;
  env?: string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function stamp(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function rfc3339(sec: number, nsec: number, fracDigits: number): string {
  const d = new Date(sec * 1000);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = fracDigits > 0 ? '.' + pad(Math.floor(nsec / 10 ** (9 - fracDigits)), fracDigits) : '';
  return `${base}${frac}Z`;
}

export interface SyslogFormat { format: 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro'; facility: number; tag: string; hostname: string; pid: number }

/**
 * Stream framing (srslog): the message ends with LF; over TLS, RFC 5424 messages are
 * octet-counted as RFC 5425 has it ("LEN SP MSG", LEN counting the LF), as Docker does.
 */
export function frameSyslog(msg: string, octetCounted: boolean): Buffer {
  const body = Buffer.from(msg + '\n');
  return octetCounted ? Buffer.concat([Buffer.from(`${body.length} `), body]) : body;
}

/** One syslog message, without framing. */
export function formatSyslog(m: LogMessage, f: SyslogFormat): string {
  const pri = f.facility * 8 + (m.stream === 'stderr' ? 3 : 6);
  const d = new Date(m.sec * 1000);
  switch (f.format) {
    case 'unix': return `<${pri}>${stamp(d)} ${f.tag}[${f.pid}]: ${m.line}`;
    case 'rfc3164': return `<${pri}>${stamp(d)} ${f.hostname} ${f.tag}[${f.pid}]: ${m.line}`;
    case 'rfc5424': return `<${pri}>1 ${rfc3339(m.sec, 0, 0)} ${f.hostname} ${f.tag} ${f.pid} ${f.tag} - ${m.line}`;
    case 'rfc5424micro': return `<${pri}>1 ${rfc3339(m.sec, m.nsec, 6)} ${f.hostname} ${f.tag} ${f.pid} ${f.tag} - ${m.line}`;
  }
}

/** The GELF 1.1 document Docker sends (go-gelf Message with Docker's extra fields). */
export function gelfDocument(m: LogMessage, info: ContainerInfo, tag: string, extra: Record<string, string> = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    version: '1.1', host: info.hostname, short_message: m.line, timestamp: Number((m.sec + m.nsec / 1e9).toFixed(6)),
    level: m.stream === 'stderr' ? 3 : 6,
    _command: info.command, _container_id: info.id, _container_name: info.name.replace(/^\//, ''), _created: info.created,
    _image_id: info.imageId, _image_name: info.imageName, _tag: tag,
  };
  for (const [k, v] of Object.entries(extra)) doc[`_${k}`] = v;
  return doc;
}

export const GELF_CHUNK_SIZE = 1420;
const GELF_CHUNK_HEADER = 12;
const GELF_MAX_CHUNKS = 128;

/** The UDP datagrams of one GELF message: compressed, then chunked if too large (go-gelf). */
export function gelfDatagrams(doc: Record<string, unknown>, compression: 'gzip' | 'zlib' | 'none', level: number): Buffer[] {
  const json = Buffer.from(JSON.stringify(doc));
  const body = compression === 'gzip' ? gzipSync(json, { level }) : compression === 'zlib' ? deflateSync(json, { level }) : json;
  if (body.length <= GELF_CHUNK_SIZE) return [body];
  const payload = GELF_CHUNK_SIZE - GELF_CHUNK_HEADER;
  const count = Math.ceil(body.length / payload);
  if (count > GELF_MAX_CHUNKS) throw new RangeError(`GELF message too large: ${count} chunks (max ${GELF_MAX_CHUNKS})`);
  const id = randomBytes(8);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = body.subarray(i * payload, (i + 1) * payload);
    const chunk = Buffer.allocUnsafe(GELF_CHUNK_HEADER + part.length);
    chunk[0] = 0x1e; chunk[1] = 0x0f;
    id.copy(chunk, 2);
    chunk[10] = i; chunk[11] = count;
    part.copy(chunk, GELF_CHUNK_HEADER);
    out.push(chunk);
  }
  return out;
}

/** TCP framing: the JSON document followed by a NUL byte. */
export function gelfTcpFrame(doc: Record<string, unknown>): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify(doc)), Buffer.from([0])]);
}

/**
 * Forward protocol Message mode: [tag, time, record] (fluent-logger-golang, as Docker sends
 * it), with a fourth element {chunk: id} when the sender asks for an ack (fluentd-request-ack).
 */
export function forwardMessage(m: LogMessage, tag: string, info: ContainerInfo, subSecond: boolean, extra: Record<string, string> = {}, chunk?: string): Buffer {
  let time: number | MsgpackExt = m.sec;
  if (subSecond) {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(m.sec >>> 0, 0);
    b.writeUInt32BE(m.nsec >>> 0, 4);
    time = new MsgpackExt(0, b);
  }
  const record: Record<string, string> = { container_id: info.id, container_name: info.name.startsWith('/') ? info.name : `/${info.name}`, source: m.stream, log: m.line, ...extra };
  if (m.partial) record.partial_message = 'true';
  return encodeMsgpack(chunk === undefined ? [tag, time, record] : [tag, time, record, { chunk }]);
}
