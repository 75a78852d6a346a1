// k8s-file records -> Docker wire bytes for GET /containers/{id}/logs, batched.
//
// This is the hot loop: per record it finds the LF (Buffer.indexOf, i.e. memchr), scans the
// prefix in place, filters, and copies the payload into the current batch. No per-record
// strings or objects; timestamps are parsed only when since/until/timestamps need them.
// Output matches moby daemon/logs.go: one message per record (a P chunk is a message of its
// own, with its own timestamp), the timestamp prefix inside the message, and with
// multiplexing one stdcopy frame per message (pkg/stdcopy: [stream,0,0,0, uint32 BE len]),
// because clients such as docker-py hand each frame to the user as one item.
import { scanK8sRecord, newRecordFields, type RecordFields } from './scan-k8s-record.ts';
import { TimestampParser, DOCKER_TIMESTAMP_LEN } from './timestamp-parser.ts';

export interface EncoderOptions {
  /** Bit set of the streams to emit: 1 = stdout, 2 = stderr. */
  streams: number;
  /** Docker stdcopy framing (non-TTY containers); false = raw bytes (TTY). */
  multiplex: boolean;
  /** Prefix each message with `2006-01-02T15:04:05.000000000Z `. */
  timestamps: boolean;
  /** `--details`: the attrs prefix; k8s-file records carry none, so just the space (details.ts). */
  details?: boolean;
  /** Skip records older than this (unix seconds / nanoseconds); inclusive like moby. */
  since?: { sec: number; nsec: number } | undefined;
  /** Stop at the first record newer than this; inclusive like moby. */
  until?: { sec: number; nsec: number } | undefined;
  /** Size of one output batch; a larger message gets a buffer of its own. */
  batchBytes?: number;
}

const LF = 0x0a;
const FRAME_HEADER_LEN = 8;
const DEFAULT_BATCH_BYTES = 64 * 1024;
// Below this payload size a JS byte loop beats Buffer#copy, whose native call and view
// creation cost more than the copy itself (measured with bench-read.ts).
const SMALL_COPY = 48;

export class RecordEncoder {
  /** Set once a record newer than `until` was seen: nothing more may be emitted. */
  done = false;
  /** Records skipped because they are not k8s-file records (a corrupt or foreign file). */
  malformed = 0;
  readonly #streams: number;
  readonly #multiplex: boolean;
  readonly #timestamps: boolean;
  readonly #details: number;
  readonly #needTime: boolean;
  readonly #since: { sec: number; nsec: number } | undefined;
  readonly #until: { sec: number; nsec: number } | undefined;
  readonly #batchBytes: number;
  readonly #fields: RecordFields = newRecordFields();
  readonly #clock = new TimestampParser();
  #batch: Buffer;
  #base = 0; // start of the batch not yet handed out
  #len = 0;
  #ready: Buffer[] = [];

  constructor(options: EncoderOptions) {
    this.#streams = options.streams;
    this.#multiplex = options.multiplex;
    this.#timestamps = options.timestamps;
    this.#details = options.details === true ? 1 : 0;
    this.#since = options.since;
    this.#until = options.until;
    this.#needTime = options.timestamps || options.since !== undefined || options.until !== undefined;
    this.#batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.#batch = Buffer.allocUnsafe(this.#batchBytes);
  }

  /** Encodes the complete records in buf[start, end); `end` is just past an LF. */
  encode(buf: Buffer, start: number, end: number): void {
    const fields = this.#fields;
    let at = start;
    while (at < end && !this.done) {
      const lf = buf.indexOf(LF, at);
      if (lf < 0 || lf >= end) break;
      if (!scanK8sRecord(buf, at, lf, fields)) this.malformed++;
      else if ((fields.stream & this.#streams) !== 0) this.#emit(buf, at, fields.partial ? lf : lf + 1);
      at = lf + 1;
    }
  }

  /**
   * Encodes a last record that has no LF (conmon stopped mid-write). Its payload goes out as
   * written, without a newline: we cannot know whether the line was finished.
   */
  encodeTorn(buf: Buffer, start: number, end: number): void {
    if (this.done || start >= end) return;
    const fields = this.#fields;
    if (!scanK8sRecord(buf, start, end, fields)) this.malformed++;
    else if ((fields.stream & this.#streams) !== 0) this.#emit(buf, start, end);
  }

  /** Hands out everything encoded so far, in order. */
  take(): Buffer[] {
    if (this.#len > this.#base) {
      this.#ready.push(this.#batch.subarray(this.#base, this.#len));
      this.#base = this.#len;
    }
    const out = this.#ready;
    this.#ready = [];
    return out;
  }

  // payloadEnd is lf + 1 for F records: the file's LF is the newline the container wrote.
  #emit(buf: Buffer, recordStart: number, payloadEnd: number): void {
    const fields = this.#fields;
    let timeLen = 0;
    if (this.#needTime) {
      const clock = this.#clock;
      if (!clock.parse(buf, recordStart, fields.timeEnd)) {
        this.malformed++;
        return;
      }
      const since = this.#since;
      if (since !== undefined && (clock.sec < since.sec || (clock.sec === since.sec && clock.nsec < since.nsec))) return;
      const until = this.#until;
      if (until !== undefined && (clock.sec > until.sec || (clock.sec === until.sec && clock.nsec > until.nsec))) {
        this.done = true;
        return;
      }
      if (this.#timestamps) timeLen = DOCKER_TIMESTAMP_LEN + 1;
    }
    const payloadStart = fields.payloadStart;
    const payloadLen = payloadEnd - payloadStart;
    const messageLen = timeLen + this.#details + payloadLen;
    // An empty P chunk carries nothing; moby's stdcopy writer skips nil messages too.
    if (messageLen === 0) return;
    const total = messageLen + (this.#multiplex ? FRAME_HEADER_LEN : 0);
    if (this.#len + total > this.#batch.length) this.#newBatch(total);
    const out = this.#batch;
    let at = this.#len;
    if (this.#multiplex) {
      out[at] = fields.stream;
      out[at + 1] = 0;
      out[at + 2] = 0;
      out[at + 3] = 0;
      out.writeUInt32BE(messageLen, at + 4);
      at += FRAME_HEADER_LEN;
    }
    if (timeLen !== 0) {
      at = this.#clock.writeDocker(out, at);
      out[at++] = 0x20;
    }
    if (this.#details !== 0) out[at++] = 0x20;
    if (payloadLen < SMALL_COPY) {
      for (let i = 0; i < payloadLen; i++) out[at + i] = buf[payloadStart + i] ?? 0;
    } else {
      buf.copy(out, at, payloadStart, payloadEnd);
    }
    this.#len = at + payloadLen;
  }

  #newBatch(need: number): void {
    if (this.#len > this.#base) this.#ready.push(this.#batch.subarray(this.#base, this.#len));
    this.#batch = Buffer.allocUnsafe(Math.max(this.#batchBytes, need));
    this.#base = 0;
    this.#len = 0;
  }
}
