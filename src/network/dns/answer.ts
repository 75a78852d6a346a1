// Decides, per query packet, what the embedded DNS server does: answer from the network's
// name table or forward to the host's resolvers. Pure (no sockets), so every case of
// Docker's embedded DNS behaviour is table-tested (answer.test.ts).
import * as dnsPacket from 'dns-packet';
import type { CompiledTable } from './name-table.ts';

/** Docker's embedded DNS answers its own records with TTL 600 (libnetwork resolver.go respTTL). */
export const LOCAL_TTL = 600;
/** The classic UDP limit for a client that sent no EDNS OPT record. */
export const UDP_MIN_SIZE = 512;
/** What we advertise (and cap a client's EDNS size at) in our own answers. */
export const EDNS_MAX_SIZE = 4096;

export type Decision =
  /** Reply with this packet (already the wire form, id copied). */
  | { action: 'answer'; packet: dnsPacket.Packet }
  /** Not ours: send the query to the upstream resolvers. */
  | { action: 'forward' }
  /** Malformed or not a query: say nothing. */
  | { action: 'drop' };

const RCODE_FORMERR = 1;
const RCODE_SERVFAIL = 2;
const RCODE_NOTIMP = 4;
const RCODE_REFUSED = 5;
const OPCODE_QUERY = 0;

/** A decoded query (questions always present). */
export type Query = dnsPacket.DecodedPacket & { questions: dnsPacket.Question[] };

/** Decodes a query; null for anything malformed or that is a response. */
export function decodeQuery(buf: Buffer): Query | null {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(buf);
  } catch {
    return null;
  }
  if (q.type !== 'query' || !Array.isArray(q.questions)) return null;
  return q as Query;
}

/** The EDNS UDP payload size the client announced, or null without an OPT record. */
export function ednsSize(q: dnsPacket.Packet): number | null {
  for (const rr of q.additionals ?? []) {
    if (rr.type === 'OPT') return Math.max(UDP_MIN_SIZE, (rr as dnsPacket.OptAnswer).udpPayloadSize ?? UDP_MIN_SIZE);
  }
  return null;
}

/** The reply skeleton: id, question and RD copied, RA set (miekg/dns SetReply + RecursionAvailable). */
export function replyTo(q: dnsPacket.DecodedPacket, rcode = 0): dnsPacket.Packet {
  const rd = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const cd = (q.flags ?? 0) & dnsPacket.CHECKING_DISABLED;
  const opcode = (q.flags ?? 0) & 0x7800;
  const reply: dnsPacket.Packet = {
    id: q.id ?? 0,
    type: 'response',
    flags: opcode | rd | cd | dnsPacket.RECURSION_AVAILABLE | (rcode & 0xf),
    questions: q.questions ?? [],
    answers: [],
  };
  if (ednsSize(q) !== null) {
    reply.additionals = [{
      type: 'OPT', name: '.', udpPayloadSize: EDNS_MAX_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [],
    }];
  }
  return reply;
}

export function servfail(q: dnsPacket.DecodedPacket): dnsPacket.Packet {
  return replyTo(q, RCODE_SERVFAIL);
}

/** The answer when too many queries are being forwarded already (Docker: REFUSED). */
export function refused(q: dnsPacket.DecodedPacket): dnsPacket.Packet {
  return replyTo(q, RCODE_REFUSED);
}

/** An upstream's SERVFAIL or REFUSED means: try the next upstream (Docker's forwardExtDNS). */
export function isUpstreamFailure(reply: Buffer): boolean {
  const rcode = (reply[3] ?? 0) & 0xf;
  return rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED;
}

/**
 * What to do with a query. `rotate` shifts the order of multi-address answers (round
 * robin across queries; Docker shuffles them).
 */
export function decide(q: Query, table: CompiledTable | undefined, rotate = 0): Decision {
  const opcode = ((q.flags ?? 0) >> 11) & 0xf;
  const question = q.questions[0];
  // Docker's resolver ignores a query without a question.
  if (question === undefined) return { action: 'drop' };
  if (opcode !== OPCODE_QUERY) return { action: 'answer', packet: replyTo(q, RCODE_NOTIMP) };
  if (q.questions.length !== 1) return { action: 'answer', packet: replyTo(q, RCODE_FORMERR) };
  if (table === undefined) return { action: 'forward' };
  if (question.class !== undefined && question.class !== 'IN') return { action: 'forward' };
  const name = question.name;
  switch (question.type) {
    case 'MX':
      // A known name: NOERROR without records, so mail clients fall back to its A/AAAA
      // ("implicit MX", RFC 5321 §5.1), as Docker answers.
      return table.has(name) ? { action: 'answer', packet: replyTo(q) } : { action: 'forward' };
    case 'A':
    case 'AAAA': {
      const res = table.lookup(name, question.type === 'A' ? 4 : 6);
      if (res.kind === 'unknown') return { action: 'forward' };
      const reply = replyTo(q);
      if (res.kind === 'found') {
        const addrs = rotated(res.addresses, rotate);
        reply.answers = addrs.map((data) => ({ type: question.type, class: 'IN', name, ttl: LOCAL_TTL, data }) as dnsPacket.Answer);
      }
      return { action: 'answer', packet: reply };
    }
    case 'PTR': {
      const target = table.reverse(name);
      if (target === null) return { action: 'forward' };
      const reply = replyTo(q);
      reply.answers = [{ type: 'PTR', class: 'IN', name, ttl: LOCAL_TTL, data: target }];
      return { action: 'answer', packet: reply };
    }
    default:
      return { action: 'forward' };
  }
}

function rotated<T>(items: readonly T[], by: number): T[] {
  if (items.length < 2) return [...items];
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Encodes a reply for UDP within `maxSize` bytes: answers that do not fit are dropped and
 * TC is set, so the client retries over TCP (miekg/dns Msg.Truncate, as Docker does).
 */
export function encodeForUdp(reply: dnsPacket.Packet, maxSize: number): Buffer {
  let buf = dnsPacket.encode(reply);
  if (buf.length <= maxSize) return buf;
  const answers = reply.answers ?? [];
  let keep = answers.length;
  const truncated: dnsPacket.Packet = { ...reply, flags: (reply.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, authorities: [] };
  do {
    keep -= 1;
    truncated.answers = answers.slice(0, Math.max(0, keep));
    buf = dnsPacket.encode(truncated);
  } while (buf.length > maxSize && keep > 0);
  if (buf.length > maxSize) buf = dnsPacket.encode({ ...truncated, answers: [], additionals: [] });
  return buf;
}

/** The id of a raw DNS message (first two bytes), or -1 when too short. */
export function messageId(buf: Buffer): number {
  return buf.length >= 2 ? buf.readUInt16BE(0) : -1;
}

/** A copy of a raw DNS message with another id. */
export function withId(buf: Buffer, id: number): Buffer {
  const copy = Buffer.from(buf);
  if (copy.length >= 2) copy.writeUInt16BE(id & 0xffff, 0);
  return copy;
}
