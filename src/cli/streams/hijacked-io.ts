// Pumps a hijacked attach/exec connection to the terminal (docker's hijackedIOStreamer):
// container output to stdout/stderr (demultiplexed unless TTY), stdin to the container with
// a half-close at EOF, the local terminal in raw mode for -it, and the detach keys checked
// on TTY input. Resolves when the output ends, or with 'detached' on the detach keys.
import type { HijackedConnection } from '../../client/index.ts';
import { StdcopyDecoder } from '../../client/index.ts';
import type { InStream, OutStream } from '../cli-context.ts';
import { EscapeDetector } from './escape-detector.ts';

export interface HijackedIo {
  conn: HijackedConnection;
  tty: boolean;
  stdin: InStream | null;
  out: OutStream | null;
  err: OutStream | null;
  /** Detach sequence bytes, checked on TTY input (empty: no detaching). */
  detachKeys: readonly number[];
  /** Raw mode for the local terminal, used with a TTY when stdin is attached and a terminal. */
  makeRaw?: () => () => void;
}

export type StreamEnd = 'done' | 'detached';

export async function streamHijacked(io: HijackedIo): Promise<StreamEnd> {
  const { conn } = io;
  const stdin = io.stdin;
  const restore = stdin !== null && io.tty && stdin.isTTY === true && io.makeRaw ? io.makeRaw() : () => {};
  const output = pumpOutput(io);
  let stopInput = (): void => {};
  try {
    if (stdin === null) {
      await output;
      return 'done';
    }
    const input = pumpInput(stdin, conn, io.tty ? io.detachKeys : []);
    stopInput = input.stop;
    const first = await Promise.race([output.then(() => 'output' as const), input.done]);
    if (first === 'detached') {
      conn.close();
      return 'detached';
    }
    await output;
    return 'done';
  } finally {
    stopInput();
    restore();
  }
}

function pumpOutput(io: HijackedIo): Promise<void> {
  const { socket } = io.conn;
  return new Promise((resolve, reject) => {
    const waiting = new Set<OutStream>();
    const write = (target: OutStream | null, data: Buffer): void => {
      if (target === null || data.length === 0) return;
      if (!target.write(data) && !waiting.has(target)) {
        // Backpressure: stop reading the connection until this terminal/pipe drains.
        waiting.add(target);
        socket.pause();
        target.once('drain', () => {
          waiting.delete(target);
          if (waiting.size === 0) socket.resume();
        });
      }
    };
    const decoder = io.tty ? null : new StdcopyDecoder((stream, payload) => write(stream === 'stderr' ? io.err : io.out, Buffer.from(payload)));
    socket.on('data', (chunk: Buffer) => {
      try {
        if (decoder) decoder.push(chunk);
        else write(io.out, chunk);
      } catch (e) {
        reject(e as Error);
        socket.destroy();
      }
    });
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.once('error', (e) => {
      // A reset after the output finished is how some daemons close; it is not a failure.
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') resolve();
      else reject(e);
    });
    socket.resume();
  });
}

function pumpInput(stdin: InStream, conn: HijackedConnection, keys: readonly number[]): { done: Promise<'eof' | 'detached'>; stop: () => void } {
  const detector = new EscapeDetector(keys);
  let onData: (chunk: Buffer | string) => void = () => {};
  let onEnd: () => void = () => {};
  const done = new Promise<'eof' | 'detached'>((resolve) => {
    onData = (chunk) => {
      const { data, detached } = detector.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (data.length > 0 && !conn.socket.destroyed && !conn.socket.write(data)) {
        stdin.pause();
        conn.socket.once('drain', () => stdin.resume());
      }
      if (detached) resolve('detached');
    };
    onEnd = () => {
      if (!conn.socket.destroyed) conn.closeWrite();
      resolve('eof');
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
  const stop = (): void => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
  };
  return { done, stop };
}
