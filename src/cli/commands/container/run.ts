// berth run: docker CLI 28's flow (container/run.go). create; attach before start unless -d;
// POST /wait sent before /start (condition=removed with --rm, so the CLI never sends DELETE:
// the daemon removes the container); start; resize for -t on a terminal; the exit code of
// the container, or 125 (daemon or flag error), 126 (cannot invoke), 127 (not found).
import { resolve } from 'node:path';
import type { ContainerCreateRequest } from '../../../api/types/index.ts';
import type { EngineApi, HijackedConnection } from '../../../client/index.ts';
import { InvalidArgumentError, kindOf, messageOf } from '../../../lib/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { describeError } from '../../describe-error.ts';
import { parseContainerFlags, type ContainerFlags } from '../../opts/container-options.ts';
import { detachKeysToBytes, DEFAULT_DETACH_KEYS } from '../../opts/detach-keys.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { StatusError, UsageError } from '../../status-error.ts';
import { streamHijacked, type StreamEnd } from '../../streams/hijacked-io.ts';
import { forwardSignals } from '../../streams/signal-proxy.ts';
import { consoleSize, monitorTtySize } from '../../streams/tty-size.ts';
import type { VerbCall, VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { addContainerFlags, addRunOnlyFlags } from './container-flags.ts';
import { createContainer } from './create-container.ts';

export interface RunOptions extends ContainerFlags {
  detach?: boolean;
  detachKeys?: string;
  sigProxy: boolean;
  pull: string;
  quiet?: boolean;
  platform?: string;
}

const PULL_VALUES = ['always', 'missing', 'never', ''];

/** docker's runStartContainerErr: 127 not found, 126 cannot invoke, else 125. */
export function startErrorStatus(message: string): number {
  const m = message.replace(/^Error response from daemon: /, '');
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(m)) return 127;
  if (/permission denied|is a directory/.test(m)) return 126;
  return 125;
}

/** Parses the flags into the create body; flag and validation errors exit 125 with usage. */
export function buildCreateBody(call: VerbCall<RunOptions>): ContainerCreateRequest {
  const { ctx, args, opts } = call;
  if (!PULL_VALUES.includes(opts.pull)) {
    throw call.usageError(`invalid pull option: '${opts.pull}': must be one of "always", "missing" or "never"`);
  }
  try {
    return parseContainerFlags(opts, args[0]!, args.slice(1), {
      lookupEnv: (k) => ctx.env[k],
      readFile: (p) => ctx.readFile(p),
      consoleSize: consoleSize(ctx.out),
      absPath: (p) => resolve(p),
    });
  } catch (e) {
    if (e instanceof FlagValueError) throw e;
    if (kindOf(e) === 'invalid-argument') throw call.usageError(messageOf(e));
    throw e;
  }
}

/** waitExitOrRemoved: the container's exit code, or 125 when waiting failed. */
function waitExitOrRemoved(ctx: CliContext, api: EngineApi, id: string, autoRemove: boolean): Promise<number> {
  return api.containers.wait(id, autoRemove ? 'removed' : 'next-exit').then(
    async (res) => {
      if (res.Error?.Message) {
        await writeOut(ctx.err, `Error waiting for container: ${res.Error.Message}\n`);
        return 125;
      }
      return res.StatusCode;
    },
    async (e: unknown) => {
      await writeOut(ctx.err, `error waiting for container: ${describeError(e)}\n`);
      return 125;
    },
  );
}

export function runVerb(): VerbSpec<RunOptions> {
  return {
    name: 'run',
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    description: 'Create and run a new container from an image',
    args: { min: 1 },
    passThrough: true,
    helpLongOnly: true,
    options: (cmd) => addRunOnlyFlags(addContainerFlags(cmd)),
    action: (call) => runContainer(call),
  };
}

async function runContainer(call: VerbCall<RunOptions>): Promise<void> {
  const { ctx, opts } = call;
  const body = buildCreateBody(call);
  body.ArgsEscaped = false;
  const detach = opts.detach === true;
  let detachKeys: number[] = [];
  if (!detach) {
    if (body.AttachStdin && body.Tty && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
    try {
      detachKeys = detachKeysToBytes(opts.detachKeys || DEFAULT_DETACH_KEYS);
    } catch (e) {
      throw new InvalidArgumentError(messageOf(e));
    }
  } else {
    if (opts.attach.length > 0) throw new StatusError(1, 'Conflicting options: -a and -d');
    Object.assign(body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
  }
  const api = call.client();
  let id: string;
  try {
    id = await createContainer(ctx, api, body, {
      pull: opts.pull, quiet: opts.quiet === true,
      ...(opts.name ? { name: opts.name } : {}), ...(opts.platform ? { platform: opts.platform } : {}),
    });
  } catch (e) {
    throw new UsageError(startErrorStatus(describeError(e)), `${ctx.name}: ${describeError(e)}\n\nRun '${call.path} --help' for more information`);
  }
  const stopSignals = opts.sigProxy ? forwardSignals(ctx.signals, (sig) => api.containers.kill(id, sig)) : () => {};
  let stopResize = (): void => {};
  let conn: HijackedConnection | null = null;
  try {
    if (!body.AttachStdout && !body.AttachStderr) await writeOut(ctx.out, `${id}\n`);
    let streaming: Promise<StreamEnd> | null = null;
    if (body.AttachStdin || body.AttachStdout || body.AttachStderr) {
      conn = await api.containers.attach(id, {
        stream: true, stdin: body.AttachStdin === true, stdout: body.AttachStdout === true, stderr: body.AttachStderr === true,
        ...(opts.detachKeys ? { detachKeys: opts.detachKeys } : {}),
      });
      streaming = streamHijacked({
        conn,
        tty: body.Tty === true,
        stdin: body.AttachStdin ? ctx.stdin : null,
        out: body.AttachStdout ? ctx.out : null,
        err: body.AttachStderr ? (body.Tty ? ctx.out : ctx.err) : null,
        detachKeys,
        makeRaw: () => ctx.makeRawTerminal(),
      });
    }
    const autoRemove = body.HostConfig?.AutoRemove === true;
    const status = waitExitOrRemoved(ctx, api, id, autoRemove);
    try {
      await api.containers.start(id);
    } catch (e) {
      if (conn) {
        conn.close();
        await streaming?.catch(() => 'done');
      }
      if (autoRemove) await status;
      throw new StatusError(startErrorStatus(describeError(e)), `${ctx.name}: ${describeError(e)}\n\nRun '${call.path} --help' for more information`);
    }
    if (streaming && body.Tty && ctx.out.isTTY) stopResize = monitorTtySize(ctx.out, (h, w) => api.containers.resize(id, h, w));
    if (streaming && (await streaming) === 'detached') return;
    if (!body.AttachStdout && !body.AttachStderr) return;
    const code = await status;
    if (code !== 0) throw new StatusError(code);
  } finally {
    stopResize();
    stopSignals();
    conn?.close();
  }
}
