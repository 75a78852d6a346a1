// The process-facing entry: real stdio, environment, signals and files, one EngineClient
// per run (closed at the end). bin/berth.ts calls main() and exits with its result.
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { EngineClient, type EngineApi } from '../client/index.ts';
import type { CliContext } from './cli-context.ts';
import { runCli } from './run-cli.ts';

/**
 * A closed pipe on stdout or stderr (`berth logs x | head -1`) ends the CLI quietly with the
 * status a shell reports for SIGPIPE, as docker does; Node ignores SIGPIPE, so say it here.
 */
function exitOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  exitOnBrokenPipe(process.stdout);
  exitOnBrokenPipe(process.stderr);
  const conn: { client: EngineApi | null } = { client: null };
  const ctx: CliContext = {
    name: 'berth',
    out: process.stdout,
    err: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signals: {
      on: (sig, fn) => { process.on(sig, fn); },
      off: (sig, fn) => { process.off(sig, fn); },
    },
    connect: (host, tls) => (conn.client ??= new EngineClient({ env: process.env, ...(host ? { host } : {}), ...(tls ? { tls } : {}) })),
    now: () => new Date(),
    readFile: (path) => readFileSync(path),
    openRead: (path) => createReadStream(path),
    makeRawTerminal,
  };
  try {
    return await runCli(argv, ctx);
  } finally {
    // The pool may hold open streams (a /wait left running by `run -d`); end them.
    await conn.client?.close().catch(() => {});
  }
}

/**
 * Node's setRawMode keeps output post-processing (libuv leaves ONLCR on), which would turn
 * the container TTY's "\r\n" into "\r\r\n"; `stty -opost` completes cfmakeraw. Leaving
 * raw mode restores the settings libuv saved before the first change.
 */
function makeRawTerminal(): () => void {
  if (!process.stdin.isTTY) return () => {};
  process.stdin.setRawMode(true);
  spawnSync('stty', ['-opost'], { stdio: [0, 'ignore', 'ignore'] });
  return () => { process.stdin.setRawMode(false); };
}
