// RFC 3339 timestamps of k8s-file records -> unix seconds + nanoseconds, and -> Docker's
// `docker logs -t` form. conmon writes local time with a numeric offset
// (`2026-11-27T17:14:43.345467782+00:00`); Docker prints UTC in moby's
// jsonmessage.RFC3339NanoFixed layout `2006-01-02T15:04:05.000000000Z07:00`, which for UTC is
// always 9 fraction digits and `Z` (`2026-11-27T17:14:43.345467782Z`).
//
// Parsing runs once per record when since/until/timestamps are asked for, so the date part
// (`YYYY-MM-DDTHH:MM:SS` + offset) is cached: consecutive records almost always share it,
// and then only the fraction digits are read.

/** Length of `2006-01-02T15:04:05.000000000Z`. */
export const DOCKER_TIMESTAMP_LEN = 30;

const DATE_TIME_LEN = 19; // YYYY-MM-DDTHH:MM:SS
const MAX_ZONE_LEN = 6; // +HH:MM
const ZERO = 0x30;

export class TimestampParser {
  /** Unix seconds of the last parsed timestamp. */
  sec = 0;
  /** Nanoseconds within `sec` of the last parsed timestamp. */
  nsec = 0;
  #src: Uint8Array = new Uint8Array(0);
  #fracStart = 0;
  #fracLen = 0;
  // Cache of the last date part: its source bytes, its unix seconds, its UTC text.
  #key = new Uint8Array(DATE_TIME_LEN + MAX_ZONE_LEN);
  #keyLen = -1;
  #keySec = 0;
  #utc = new Uint8Array(DATE_TIME_LEN);

  /** Parses buf[start, end). Returns false (and keeps the previous value) if it is not RFC 3339. */
  parse(buf: Uint8Array, start: number, end: number): boolean {
    if (end - start < DATE_TIME_LEN + 1) return false;
    let p = start + DATE_TIME_LEN;
    let fracLen = 0;
    let nsec = 0;
    if (buf[p] === 0x2e) { // '.'
      p++;
      const fracStart = p;
      while (p < end) {
        const d = (buf[p] ?? 0) - ZERO;
        if (d < 0 || d > 9) break;
        // Digits past the ninth are below a nanosecond; Go's parser drops them as well.
        if (p - fracStart < 9) nsec = nsec * 10 + d;
        p++;
      }
      fracLen = Math.min(p - fracStart, 9);
      if (fracLen === 0) return false;
      this.#fracStart = fracStart;
      for (let i = fracLen; i < 9; i++) nsec *= 10;
    }
    const zoneStart = p;
    const zoneLen = end - zoneStart;
    if (zoneLen < 1 || zoneLen > MAX_ZONE_LEN) return false;
    if (!this.#sameKey(buf, start, zoneStart, end) && !this.#parseKey(buf, start, zoneStart, end)) return false;
    this.sec = this.#keySec;
    this.nsec = nsec;
    this.#src = buf;
    this.#fracLen = fracLen;
    return true;
  }

  /** Writes the last parsed time as `2006-01-02T15:04:05.000000000Z` at `at`; returns the end. */
  writeDocker(target: Uint8Array, at: number): number {
    const utc = this.#utc;
    for (let i = 0; i < DATE_TIME_LEN; i++) target[at + i] = utc[i] ?? 0;
    at += DATE_TIME_LEN;
    target[at++] = 0x2e;
    // Copy the fraction digits as written and pad to 9: the offset never changes them.
    const src = this.#src;
    const fracStart = this.#fracStart;
    let i = 0;
    for (; i < this.#fracLen; i++) target[at + i] = src[fracStart + i] ?? ZERO;
    for (; i < 9; i++) target[at + i] = ZERO;
    at += 9;
    target[at++] = 0x5a; // 'Z'
    return at;
  }

  #sameKey(buf: Uint8Array, start: number, zoneStart: number, end: number): boolean {
    const zoneLen = end - zoneStart;
    if (this.#keyLen !== DATE_TIME_LEN + zoneLen) return false;
    const key = this.#key;
    for (let i = 0; i < DATE_TIME_LEN; i++) if (key[i] !== buf[start + i]) return false;
    for (let i = 0; i < zoneLen; i++) if (key[DATE_TIME_LEN + i] !== buf[zoneStart + i]) return false;
    return true;
  }

  #parseKey(buf: Uint8Array, start: number, zoneStart: number, end: number): boolean {
    const num = (at: number, len: number): number => {
      let v = 0;
      for (let i = 0; i < len; i++) {
        const d = (buf[start + at + i] ?? 0) - ZERO;
        if (d < 0 || d > 9) return -1;
        v = v * 10 + d;
      }
      return v;
    };
    const sep = (at: number, c: number): boolean => buf[start + at] === c;
    const t = buf[start + 10];
    if (!sep(4, 0x2d) || !sep(7, 0x2d) || (t !== 0x54 && t !== 0x74) || !sep(13, 0x3a) || !sep(16, 0x3a)) return false;
    const year = num(0, 4);
    const month = num(5, 2);
    const day = num(8, 2);
    const hour = num(11, 2);
    const minute = num(14, 2);
    const second = num(17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) return false;
    const offset = parseZone(buf, zoneStart, end);
    if (offset === undefined) return false;
    const sec = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset;
    this.#keySec = sec;
    const key = this.#key;
    for (let i = 0; i < DATE_TIME_LEN; i++) key[i] = buf[start + i] ?? 0;
    for (let i = zoneStart; i < end; i++) key[DATE_TIME_LEN + i - zoneStart] = buf[i] ?? 0;
    this.#keyLen = DATE_TIME_LEN + end - zoneStart;
    const utc = new Date(sec * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    for (let i = 0; i < DATE_TIME_LEN; i++) this.#utc[i] = utc.charCodeAt(i);
    return true;
  }
}

/** Seconds east of UTC for `Z` or `±HH:MM`; undefined if malformed. */
function parseZone(buf: Uint8Array, start: number, end: number): number | undefined {
  const first = buf[start];
  if (end - start === 1) return first === 0x5a || first === 0x7a ? 0 : undefined; // 'Z' | 'z'
  if (end - start !== 6 || (first !== 0x2b && first !== 0x2d) || buf[start + 3] !== 0x3a) return undefined;
  const digit = (i: number): number => (buf[start + i] ?? 0) - ZERO;
  const h1 = digit(1), h2 = digit(2), m1 = digit(4), m2 = digit(5);
  for (const d of [h1, h2, m1, m2]) if (d < 0 || d > 9) return undefined;
  const seconds = (h1 * 10 + h2) * 3600 + (m1 * 10 + m2) * 60;
  return first === 0x2d ? -seconds : seconds;
}

/** `2006-01-02T15:04:05.000000000Z` for unix seconds + nanoseconds (UTC). */
export function formatDockerTimestamp(sec: number, nsec: number): string {
  const date = new Date(sec * 1000).toISOString().slice(0, DATE_TIME_LEN);
  return `${date}.${String(nsec).padStart(9, '0')}Z`;
}

/** Parses one RFC 3339 timestamp; undefined if malformed. */
export function parseTimestamp(text: string): { sec: number; nsec: number } | undefined {
  const parser = new TimestampParser();
  const bytes = Buffer.from(text, 'latin1');
  return parser.parse(bytes, 0, bytes.length) ? { sec: parser.sec, nsec: parser.nsec } : undefined;
}
