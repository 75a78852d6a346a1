// One k8s-file record of conmon's capture, located in place (no copies): the shipper scans
// `TIMESTAMP SP stream SP tag SP payload LF` and hands drivers the field offsets.
export interface CaptureRecord {
  buf: Buffer;
  tsStart: number;
  tsEnd: number;
  /** 1 = stdout, 2 = stderr. */
  stream: 1 | 2;
  /** P: no newline yet (the container's line continues in the next record). */
  partial: boolean;
  payloadStart: number;
  /** Exclusive; the LF is not part of the payload. */
  payloadEnd: number;
  /** Whether the line was a k8s-file record (the other fields are meaningful only then). */
  valid: boolean;
}

const SP = 0x20;
const LF = 0x0a;
const TS_LEN = 35;

/**
 * Scans the record that starts at buf[at]: returns the index after its LF, or -1 when
 * buf[at, end) holds no complete line; `r.valid` says whether the line was a k8s-file record.
 * Native searches (memchr) with the fields at conmon's fixed offsets tried first: a record
 * costs a few calls, whatever its length.
 */
export function nextRecord(buf: Buffer, at: number, end: number, r: CaptureRecord): number {
  const lf = buf.indexOf(LF, at);
  if (lf < 0 || lf >= end) return -1;
  r.valid = false;
  // conmon's timestamps have a fixed width (35 bytes: nanoseconds and a ±hh:mm offset).
  let s1 = at + TS_LEN;
  if (s1 >= lf || buf[s1] !== SP) {
    s1 = buf.indexOf(SP, at);
    if (s1 < 0 || s1 >= lf) return lf + 1;
  }
  const s2 = s1 + 7;
  if (s2 >= lf || buf[s2] !== SP) return lf + 1;
  if (buf[s1 + 4] === 0x6f) r.stream = 1; // stdout
  else if (buf[s1 + 4] === 0x65) r.stream = 2; // stderr
  else return lf + 1;
  const tag = buf[s2 + 1];
  if (tag !== 0x46 && tag !== 0x50) return lf + 1;
  r.valid = true;
  r.buf = buf;
  r.tsStart = at;
  r.tsEnd = s1;
  r.partial = tag === 0x50;
  r.payloadStart = Math.min(s2 + 3, lf);
  r.payloadEnd = lf;
  return lf + 1;
}

/** Fills `r` from buf[start, lf); false when the bytes are not a k8s-file record. */
export function scanRecord(buf: Buffer, start: number, lf: number, r: CaptureRecord): boolean {
  return nextRecord(buf, start, lf + 1, r) === lf + 1 && r.valid;
}

export function newRecord(): CaptureRecord {
  return { buf: Buffer.alloc(0), tsStart: 0, tsEnd: 0, stream: 1, partial: false, payloadStart: 0, payloadEnd: 0, valid: false };
}

/** Unix seconds/nanoseconds of a record's RFC 3339 timestamp (conmon writes a local offset). */
export function recordTime(r: CaptureRecord): { sec: number; nsec: number } {
  const ts = r.buf.toString('latin1', r.tsStart, r.tsEnd);
  return parseRfc3339(ts);
}

export function parseRfc3339(ts: string): { sec: number; nsec: number } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return { sec: Math.floor(Date.now() / 1000), nsec: 0 };
  const sec = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`) / 1000;
  const nsec = m[2] === undefined ? 0 : Number(m[2].padEnd(9, '0'));
  return { sec, nsec };
}

/** The record's time as Docker writes it: RFC 3339 in UTC with nanoseconds and Z. */
export function dockerTime(r: CaptureRecord): string {
  const len = r.tsEnd - r.tsStart;
  // The common case (conmon on a host in UTC): "…+00:00" → "…Z", no parsing.
  if (len > 6 && r.buf[r.tsEnd - 6] === 0x2b && r.buf.toString('latin1', r.tsEnd - 6, r.tsEnd) === '+00:00') {
    return r.buf.toString('latin1', r.tsStart, r.tsEnd - 6) + 'Z';
  }
  const { sec, nsec } = recordTime(r);
  return new Date(sec * 1000).toISOString().slice(0, 19) + '.' + String(nsec).padStart(9, '0') + 'Z';
}
