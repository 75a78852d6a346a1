// readLogs: the body of GET /containers/{id}/logs from a conmon k8s-file log.
//
//  1. validate the options (throws InvalidArgumentError before touching the file);
//  2. with --tail, find where the last N lines start by reading backwards;
//  3. read forwards up to the size seen at open, in 1 MiB preads, yielding 64 KiB batches;
//  4. with --follow (and a running container), wait for changes and read what was added,
//     until the container stops and the file is drained, `until` has passed, or abort.
// Like moby's LogFile.ReadLogs, "existing" content is what the file held when we opened
// it; anything later belongs to the follow phase.
import { ChangeWaiter } from './change-waiter.ts';
import { findTailStart } from './find-tail-start.ts';
import { LogFileCursor } from './log-file-cursor.ts';
import { validateLogReadOptions, type LogReadOptions, type LogReadPlan } from './log-read-options.ts';
import { RecordEncoder } from './record-encoder.ts';

/**
 * Streams the log at `path` as ready-to-write wire chunks. Ends quietly on abort (the client
 * is gone; there is nobody to report to). The caller must finish the iteration (for-await
 * does, also on break/throw): that is what closes the file and the watcher.
 */
export function readLogs(path: string, options: LogReadOptions, signal?: AbortSignal): AsyncIterable<Buffer> {
  const plan = validateLogReadOptions(options);
  return streamLogs(path, plan, signal);
}

/** The file being read; the follow phase replaces the cursor when conmon rotates the file. */
interface OpenFile {
  cursor: LogFileCursor | undefined;
}

async function* streamLogs(path: string, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (signal?.aborted === true) return;
  const encoder = new RecordEncoder(plan.encoder);
  // Sampled before the first read: if the container has stopped, the file is final, so a
  // last record without LF will never be finished and is shown as it is; and like moby
  // (`follow := config.Follow && container.IsRunning()`) there is nothing to follow.
  const stopped = plan.isRunning !== undefined && !plan.isRunning();
  const file: OpenFile = { cursor: await LogFileCursor.open(path) };
  try {
    const cursor = file.cursor;
    if (cursor !== undefined) {
      const size = await cursor.size();
      if (plan.tail !== 'all') {
        const query = { size, lines: plan.tail, streams: plan.encoder.streams, tornIsFinal: stopped };
        cursor.seek(await findTailStart(cursor.handle, query));
      }
      yield* drain(cursor, encoder, size, signal);
      if (stopped && !encoder.done) {
        cursor.flushTorn(encoder);
        yield* encoder.take();
      }
    }
    if (plan.follow && !stopped && !encoder.done) yield* followFile(path, file, encoder, plan, signal);
  } finally {
    await file.cursor?.close();
  }
}

/** Reads up to `limit` (or the end), yielding as it goes; returns the bytes read. */
async function* drain(cursor: LogFileCursor, encoder: RecordEncoder, limit: number | undefined, signal: AbortSignal | undefined): AsyncGenerator<Buffer, number> {
  let total = 0;
  for (;;) {
    const n = await cursor.readChunk(encoder, limit);
    yield* encoder.take();
    if (n === 0 || encoder.done || signal?.aborted === true) return total;
    total += n;
  }
}

async function* followFile(path: string, file: OpenFile, encoder: RecordEncoder, plan: LogReadPlan, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const waiter = new ChangeWaiter(plan.pollIntervalMs, signal);
  try {
    waiter.watch(path);
    for (;;) {
      if (signal?.aborted === true) return;
      if (file.cursor === undefined) {
        // Not created yet (container never started) or mid-rotation: all of it is new.
        file.cursor = await LogFileCursor.open(path);
        if (file.cursor !== undefined) waiter.watch(path);
      }
      // Sampled before draining, so that after "stopped" we still read what the container
      // wrote up to its exit.
      const running = plan.isRunning?.() ?? true;
      const cursor = file.cursor;
      const got = cursor === undefined ? 0 : yield* drain(cursor, encoder, undefined, signal);
      if (encoder.done || isAborted(signal)) return;
      if (!running) {
        cursor?.flushTorn(encoder);
        yield* encoder.take();
        return;
      }
      // conmon stamps a record when it reads it, so once the clock is past `until` no
      // record still to come can be within the bound.
      if (plan.untilSeconds !== undefined && Date.now() / 1000 > plan.untilSeconds) return;
      if (cursor !== undefined && got === 0) {
        const change = await cursor.change(path);
        if (change === 'truncated') {
          cursor.seek(0);
          continue;
        }
        if (change === 'replaced') {
          // Lines may have reached the old file between our last read and the rename.
          yield* drain(cursor, encoder, undefined, signal);
          if (encoder.done) return;
          file.cursor = undefined;
          await cursor.close();
          continue;
        }
      }
      await waiter.wait();
    }
  } finally {
    waiter.close();
  }
}

// A function, so TypeScript does not narrow `aborted` across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
