// A read position in one open log file, cut at record boundaries. Each readChunk() is one
// large pread; the complete records go to the encoder and the incomplete tail (a record
// conmon is still writing) is carried to the front of the buffer for the next read. Memory
// is one read buffer, whatever the file size.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { RecordEncoder } from './record-encoder.ts';

const LF = 0x0a;
const DEFAULT_READ_BYTES = 1024 * 1024;

export type FileChange = 'same' | 'replaced' | 'truncated';

export class LogFileCursor {
  readonly #fh: FileHandle;
  readonly #buf: Buffer;
  #pos = 0;
  #carry = 0;
  // A record longer than the whole read buffer cannot come from conmon (its records are
  // at most its 8 KiB read buffer plus the prefix); we drop it up to its LF rather than
  // grow without bound on a corrupt file.
  #skipping = false;

  private constructor(fh: FileHandle, readBytes: number) {
    this.#fh = fh;
    this.#buf = Buffer.allocUnsafe(readBytes);
  }

  /** Opens `path` for reading; undefined if it does not exist (yet). */
  static async open(path: string, readBytes = DEFAULT_READ_BYTES): Promise<LogFileCursor | undefined> {
    try {
      return new LogFileCursor(await open(path, 'r'), readBytes);
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  get handle(): FileHandle {
    return this.#fh;
  }

  /** File offset of the next byte to read (the carried bytes are before it). */
  get position(): number {
    return this.#pos;
  }

  async size(): Promise<number> {
    return (await this.#fh.stat()).size;
  }

  /** Moves to `pos`, which must be a record start; drops any carried bytes. */
  seek(pos: number): void {
    this.#pos = pos;
    this.#carry = 0;
    this.#skipping = false;
  }

  /**
   * Reads once, up to `limit` (a file offset), and encodes the records completed by it.
   * Returns the number of bytes read; 0 means end of file (or of `limit`).
   */
  async readChunk(encoder: RecordEncoder, limit = Number.POSITIVE_INFINITY): Promise<number> {
    const buf = this.#buf;
    const want = Math.min(buf.length - this.#carry, limit - this.#pos);
    if (want <= 0) return 0;
    const { bytesRead } = await this.#fh.read(buf, this.#carry, want, this.#pos);
    if (bytesRead === 0) return 0;
    this.#pos += bytesRead;
    const end = this.#carry + bytesRead;
    let from = 0;
    if (this.#skipping) {
      const lf = buf.indexOf(LF, 0);
      if (lf < 0 || lf >= end) {
        this.#carry = 0;
        return bytesRead;
      }
      from = lf + 1;
      this.#skipping = false;
    }
    const last = end > from ? buf.lastIndexOf(LF, end - 1) : -1;
    if (last < from) {
      if (end === buf.length && from === 0) {
        this.#skipping = true;
        this.#carry = 0;
        encoder.malformed++;
      } else {
        buf.copyWithin(0, from, end);
        this.#carry = end - from;
      }
      return bytesRead;
    }
    encoder.encode(buf, from, last + 1);
    buf.copyWithin(0, last + 1, end);
    this.#carry = end - last - 1;
    return bytesRead;
  }

  /** Encodes the carried record that has no LF; only once the writer is gone for good. */
  flushTorn(encoder: RecordEncoder): void {
    if (this.#carry > 0 && !this.#skipping) encoder.encodeTorn(this.#buf, 0, this.#carry);
    this.#carry = 0;
  }

  /**
   * Whether `path` still names this file. conmon rotates (--log-size-max, or the `ctl`
   * reopen) by putting a new file at the path; a shrunk file was truncated in place.
   */
  async change(path: string): Promise<FileChange> {
    const [named, mine] = await Promise.all([stat(path).catch(() => undefined), this.#fh.stat()]);
    // A vanished path (container removed) is not a new file: keep the one we have.
    if (named !== undefined && (named.ino !== mine.ino || named.dev !== mine.dev)) return 'replaced';
    if (mine.size < this.#pos) return 'truncated';
    return 'same';
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}
