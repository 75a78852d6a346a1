// berth start: without -a/-i, start each container and print its name; with them, attach
// first (one container only), start, stream, and exit with the container's code.
import type { CliContext } from '../../cli-context.ts';
import { describeError } from '../../describe-error.ts';
import { detachKeysToBytes, DEFAULT_DETACH_KEYS } from '../../opts/detach-keys.ts';
import { StatusError } from '../../status-error.ts';
import { streamHijacked } from '../../streams/hijacked-io.ts';
import { forwardSignals } from '../../streams/signal-proxy.ts';
import { monitorTtySize } from '../../streams/tty-size.ts';
import type { EngineApi } from '../../../client/index.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface StartOptions { attach?: boolean; interactive?: boolean; detachKeys?: string }

export function startVerb(): VerbSpec<StartOptions> {
  return {
    name: 'start',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Start one or more stopped containers',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('-i, --interactive', "Attach container's STDIN"),
    action: async ({ ctx, args, opts, client }) => {
      if (opts.attach || opts.interactive) {
        if (args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
        await startAttached(ctx, client(), args[0]!, opts);
        return;
      }
      const failed: string[] = [];
      for (const name of args) {
        try {
          await client().containers.start(name);
          await writeOut(ctx.out, `${name}\n`);
        } catch (e) {
          await writeOut(ctx.err, `${describeError(e)}\n`);
          failed.push(name);
        }
      }
      if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
    },
  };
}

async function startAttached(ctx: CliContext, api: EngineApi, name: string, opts: StartOptions): Promise<void> {
  const { value: c } = await api.containers.inspect(name);
  const tty = c.Config.Tty === true;
  const stopSignals = tty ? () => {} : forwardSignals(ctx.signals, (sig) => api.containers.kill(c.Id, sig));
  const detachKeys = detachKeysToBytes(opts.detachKeys || DEFAULT_DETACH_KEYS);
  const withStdin = opts.interactive === true && c.Config.OpenStdin === true;
  let stopResize = (): void => {};
  const conn = await api.containers.attach(c.Id, {
    stream: true, stdin: withStdin, stdout: true, stderr: true, ...(opts.detachKeys ? { detachKeys: opts.detachKeys } : {}),
  });
  try {
    const streaming = streamHijacked({ conn, tty, stdin: withStdin ? ctx.stdin : null, out: ctx.out, err: ctx.err, detachKeys,
      makeRaw: () => ctx.makeRawTerminal(),
    });
    const status = api.containers.wait(c.Id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit').then((r) => r.StatusCode, () => 125);
    try {
      await api.containers.start(c.Id);
    } catch (e) {
      conn.close();
      await streaming.catch(() => 'done');
      if (c.HostConfig.AutoRemove) await status;
      throw e;
    }
    if (tty && ctx.out.isTTY) stopResize = monitorTtySize(ctx.out, (h, w) => api.containers.resize(c.Id, h, w));
    if ((await streaming) === 'detached') return;
    const code = await status;
    if (code !== 0) throw new StatusError(code);
  } finally {
    stopResize();
    stopSignals();
    conn.close();
  }
}
