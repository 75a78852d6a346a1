// Field boundaries of one k8s-file record, found in place. A record is
//   <timestamp> SP <stream> SP <tag> SP <payload> LF
// (CRI "container log format", as written by conmon's ctr_logging.c). The hot read loop,
// the tail scanner and parseK8sLine all go through this one function so there is exactly
// one definition of the format. It allocates nothing: the caller owns `out` and reuses it.

/** Stream ids, equal to Docker's stdcopy frame ids (1 = stdout, 2 = stderr). */
export const STDOUT = 1;
export const STDERR = 2;
export type StreamId = typeof STDOUT | typeof STDERR;

/** Where the fields of the last scanned record are; absolute offsets into the buffer. */
export interface RecordFields {
  /** Exclusive end of the timestamp; the timestamp starts at the record start. */
  timeEnd: number;
  stream: StreamId;
  /** Tag `P`: the container has not written the newline yet; the next chunk continues it. */
  partial: boolean;
  /** First payload byte; the payload runs to the record end (the LF, or the torn end). */
  payloadStart: number;
}

export function newRecordFields(): RecordFields {
  return { timeEnd: 0, stream: STDOUT, partial: false, payloadStart: 0 };
}

const SP = 0x20;
// conmon always writes `2006-01-02T15:04:05.000000000+00:00`: 35 bytes. Checking that
// position first saves the byte-by-byte search on nearly every record.
const CONMON_TIME_LEN = 35;

/**
 * Scans buf[start, end) (end = position of the LF, or the end of a torn record) and fills
 * `out`. Returns false when the bytes are not a k8s-file record; `out` is then unspecified.
 * The timestamp is only delimited here, not validated (that costs; callers parse it when
 * since/until/timestamps need it).
 */
export function scanK8sRecord(buf: Uint8Array, start: number, end: number, out: RecordFields): boolean {
  let timeEnd = start + CONMON_TIME_LEN;
  if (timeEnd >= end || buf[timeEnd] !== SP) {
    timeEnd = start;
    while (timeEnd < end && buf[timeEnd] !== SP) timeEnd++;
    if (timeEnd === start || timeEnd >= end) return false;
  }
  // "stdout" / "stderr" followed by SP, then at least one tag byte.
  const s = timeEnd + 1;
  if (s + 8 > end) return false;
  if (buf[s] !== 0x73 || buf[s + 1] !== 0x74 || buf[s + 2] !== 0x64 || buf[s + 6] !== SP) return false; // "std"
  const c3 = buf[s + 3];
  const c4 = buf[s + 4];
  const c5 = buf[s + 5];
  let stream: StreamId;
  if (c3 === 0x6f && c4 === 0x75 && c5 === 0x74) stream = STDOUT; // "out"
  else if (c3 === 0x65 && c4 === 0x72 && c5 === 0x72) stream = STDERR; // "err"
  else return false;
  // The tag is `P` or `F`, optionally followed by `:`-separated extra tags (CRI allows them).
  const t = s + 7;
  const tag = buf[t];
  if (tag !== 0x46 && tag !== 0x50) return false; // 'F' | 'P'
  let tagEnd = t + 1;
  if (tagEnd < end && buf[tagEnd] !== SP) {
    if (buf[tagEnd] !== 0x3a) return false; // ':'
    while (tagEnd < end && buf[tagEnd] !== SP) tagEnd++;
  }
  out.timeEnd = timeEnd;
  out.stream = stream;
  out.partial = tag === 0x50;
  // A record that ends right after its tag has an empty payload.
  out.payloadStart = tagEnd < end ? tagEnd + 1 : end;
  return true;
}
