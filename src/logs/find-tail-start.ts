// `docker logs --tail N`: the file offset where the last N lines of the selected streams
// begin, found by reading the file backwards in blocks, so the cost is the size of the
// tail, not of the log.
//
// A line is one F record plus the P records of the same stream before it. Walking back from
// the end we count the F records of the selected streams; the start is just past the
// (N+1)-th one. Everything after it is then read forwards and filtered as usual, which also
// keeps the P chunks at the very end (a line still being written), so a follower sees that
// line whole once its F arrives.
import { scanK8sRecord, newRecordFields } from './scan-k8s-record.ts';

/** The part of fs.promises.FileHandle this needs. */
export interface ReadAt {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

export interface TailQuery {
  /** Size of the file to consider (bytes after it are ignored). */
  size: number;
  /** N >= 0. */
  lines: number;
  /** Bit set: 1 = stdout, 2 = stderr. */
  streams: number;
  /**
   * The writer is gone: a last record without LF is final and counts as a line. Otherwise
   * it is still being written and is not counted (it is emitted once complete).
   */
  tornIsFinal: boolean;
  blockBytes?: number;
}

const LF = 0x0a;
// Enough for conmon's 35-byte timestamp, the stream and the tag; longer prefixes are not
// k8s-file records anyway.
const PREFIX_BYTES = 256;

export async function findTailStart(file: ReadAt, query: TailQuery): Promise<number> {
  const { size, lines, streams, tornIsFinal } = query;
  const blocks = new BackwardBlocks(file, size, query.blockBytes ?? 64 * 1024);
  const fields = newRecordFields();
  const scratch = Buffer.allocUnsafe(PREFIX_BYTES);

  // Whether the record at [start, end) is a record of a selected stream; F or P in `fields`.
  const selected = async (start: number, end: number): Promise<boolean> => {
    const prefixEnd = Math.min(end, start + PREFIX_BYTES);
    let buf = blocks.buf;
    let base = blocks.start;
    if (prefixEnd > blocks.end) {
      // The prefix runs into the block we already left behind: read it on its own (rare).
      await readFully(file, scratch, prefixEnd - start, start);
      buf = scratch;
      base = start;
    }
    return scanK8sRecord(buf, start - base, prefixEnd - base, fields) && (fields.stream & streams) !== 0;
  };

  const lastLf = await blocks.previousLf(size);
  if (lines === 0) return tornIsFinal ? size : lastLf + 1;
  let count = 0;
  if (tornIsFinal && lastLf + 1 < size && (await selected(lastLf + 1, size))) count++;
  let lf = lastLf;
  while (lf >= 0) {
    const prev = await blocks.previousLf(lf);
    if ((await selected(prev + 1, lf)) && !fields.partial) {
      count++;
      if (count > lines) return lf + 1;
    }
    lf = prev;
  }
  return 0;
}

/** A window [start, end) of the file that moves backwards one block at a time. */
class BackwardBlocks {
  readonly buf: Buffer;
  start: number;
  end: number;
  readonly #file: ReadAt;

  constructor(file: ReadAt, size: number, blockBytes: number) {
    this.#file = file;
    this.buf = Buffer.allocUnsafe(blockBytes);
    this.start = size;
    this.end = size;
  }

  /** Offset of the last LF before `pos` (which is inside or just past the window), or -1. */
  async previousLf(pos: number): Promise<number> {
    for (;;) {
      if (pos > this.start) {
        // lastIndexOf searches backwards from its (window-relative, inclusive) offset.
        const i = this.buf.lastIndexOf(LF, pos - 1 - this.start);
        if (i >= 0) return this.start + i;
      }
      if (this.start === 0) return -1;
      this.end = this.start;
      this.start = Math.max(0, this.end - this.buf.length);
      await readFully(this.#file, this.buf, this.end - this.start, this.start);
      pos = this.end;
    }
  }
}

async function readFully(file: ReadAt, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    // The file shrank under us (truncated): treat the rest as empty lines.
    if (bytesRead === 0) {
      buf.fill(LF, done, length);
      return;
    }
    done += bytesRead;
  }
}
