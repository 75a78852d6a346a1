// What a command needs from the outside world, passed in so tests can fake all of it:
// the standard streams, the environment, the clock, file reads, signals, and a connection
// to the daemon (created on first use, with the -H value).
import type { Readable, Writable } from 'node:stream';
import type { EngineApi, TlsFlags } from '../client/index.ts';

export type OutStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };
export type InStream = Readable & { isTTY?: boolean };

/** Process signals the CLI forwards to containers (--sig-proxy) or reacts to (SIGWINCH). */
export interface SignalSource {
  on(signal: NodeJS.Signals, handler: () => void): void;
  off(signal: NodeJS.Signals, handler: () => void): void;
}

export interface CliContext {
  /** The program name used in messages ("berth"). */
  readonly name: string;
  readonly out: OutStream;
  readonly err: OutStream;
  readonly stdin: InStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signals: SignalSource;
  /** The daemon connection for the given -H value and TLS flags (one per run). */
  connect(host: string | undefined, tls?: TlsFlags): EngineApi;
  now(): Date;
  readFile(path: string): Buffer;
  /** A file as a stream (import reads tarballs without holding them in memory). */
  openRead(path: string): Readable;
  /**
   * Puts the terminal on stdin in raw mode (moby/term MakeRaw: no echo, no line editing, no
   * output post-processing); returns the function that restores it.
   */
  makeRawTerminal(): () => void;
}
