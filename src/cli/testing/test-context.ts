// An in-memory CliContext for command tests: stdout/stderr collected as text, a fixed
// clock, files from a map, no signals, and the given fake client.
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type { EngineApi } from '../../client/index.ts';
import type { CliContext, InStream, OutStream } from '../cli-context.ts';
import { runCli } from '../run-cli.ts';
import { fakeClient } from './fake-client.ts';

export interface TestContextOptions {
  client?: EngineApi;
  stdin?: string;
  env?: Record<string, string>;
  files?: Record<string, string>;
  now?: Date;
  /** Emit 'SIGINT' etc. on it to play signals sent to the CLI. */
  signals?: EventEmitter;
}

function collector(): { stream: OutStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

export interface TestRun {
  code: number;
  out: string;
  err: string;
  hosts: (string | undefined)[];
}

export function testContext(opts: TestContextOptions = {}): { ctx: CliContext; out: () => string; err: () => string; hosts: (string | undefined)[] } {
  const out = collector();
  const err = collector();
  const hosts: (string | undefined)[] = [];
  const stdin: InStream = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]);
  const files = opts.files ?? {};
  const readFile = (path: string): Buffer => {
    const f = files[path];
    if (f === undefined) throw Object.assign(new Error(`open ${path}: no such file or directory`), { code: 'ENOENT' });
    return Buffer.from(f);
  };
  const ctx: CliContext = {
    name: 'berth',
    out: out.stream,
    err: err.stream,
    stdin,
    env: opts.env ?? {},
    signals: {
      on: (sig, fn) => { (opts.signals ?? new EventEmitter()).on(sig, fn); },
      off: (sig, fn) => { opts.signals?.off(sig, fn); },
    },
    connect: (host) => {
      hosts.push(host);
      return opts.client ?? fakeClient();
    },
    now: () => opts.now ?? new Date('2024-05-01T12:00:00Z'),
    readFile,
    openRead: (path) => Readable.from([readFile(path)]),
    makeRawTerminal: () => () => {},
  };
  return { ctx, out: out.text, err: err.text, hosts };
}

/** Runs `berth <argv>` against the options' fake client. */
export async function runTest(argv: string[], opts: TestContextOptions = {}): Promise<TestRun> {
  const t = testContext(opts);
  const code = await runCli(argv, t.ctx);
  return { code, out: t.out(), err: t.err(), hosts: t.hosts };
}
