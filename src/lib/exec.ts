// Runs external tools (runtimes, mount, tar, ip, nft) without a shell. Adapters go through
// here so tests can see every command, and so errors always carry the tool's stderr.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ExecResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  input?: string | Buffer | Readable;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Resolve with a non-zero code instead of rejecting. */
  allowFailure?: boolean;
}

export class ExecError extends Error {
  constructor(readonly command: string, readonly result: ExecResult) {
    super(`${command}: ${result.stderr.trim() || `exit status ${result.code}`}`);
    this.name = 'ExecError';
  }
}

export function execTool(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new Error(`${file}: ${e.message}`, { cause: e })));
    if (options.input !== undefined && child.stdin) {
      const stdin = child.stdin;
      stdin.on('error', () => undefined); // the tool may exit before reading all input
      if (typeof options.input === 'string' || Buffer.isBuffer(options.input)) stdin.end(options.input);
      else options.input.pipe(stdin);
    }
    child.on('close', (code, signal) => {
      const result: ExecResult = {
        code: code ?? 128, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.code !== 0 && !options.allowFailure) reject(new ExecError(`${file} ${args[0] ?? ''}`.trim(), result));
      else resolve(result);
    });
  });
}
