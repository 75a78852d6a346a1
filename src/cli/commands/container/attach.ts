// berth attach: connect the terminal to a running container's streams; exits with the
// container's code, or "read escape sequence" (exit 1) on the detach keys, as docker does.
import { detachKeysToBytes, DEFAULT_DETACH_KEYS } from '../../opts/detach-keys.ts';
import { StatusError } from '../../status-error.ts';
import { streamHijacked } from '../../streams/hijacked-io.ts';
import { forwardSignals } from '../../streams/signal-proxy.ts';
import { monitorTtySize } from '../../streams/tty-size.ts';
import type { ContainerInspect } from '../../../api/types/index.ts';
import type { EngineApi } from '../../../client/index.ts';
import type { VerbSpec } from '../../verb.ts';

interface AttachOptions { stdin: boolean; sigProxy: boolean; detachKeys?: string }

async function inspectRunning(api: EngineApi, id: string): Promise<ContainerInspect> {
  const { value: c } = await api.containers.inspect(id);
  if (!c.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
  return c;
}

export function attachVerb(): VerbSpec<AttachOptions> {
  return {
    name: 'attach',
    usage: '[OPTIONS] CONTAINER',
    description: "Attach local standard input, output, and error streams to a running container",
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .option('--no-stdin', 'Do not attach STDIN')
      .option('--sig-proxy', 'Proxy all received signals to the process (default true)', true)
      .option('--no-sig-proxy', 'Do not proxy signals'),
    action: async ({ ctx, args, opts, client }) => {
      const api = client();
      const name = args[0]!;
      const waiting = api.containers.wait(name);
      waiting.catch(() => {});
      const c = await inspectRunning(api, name);
      const tty = c.Config.Tty === true;
      if (opts.stdin && tty && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
      const withStdin = opts.stdin && c.Config.OpenStdin === true;
      const detachKeys = detachKeysToBytes(opts.detachKeys || DEFAULT_DETACH_KEYS);
      const stopSignals = opts.sigProxy && !tty ? forwardSignals(ctx.signals, (sig) => api.containers.kill(name, sig)) : () => {};
      let stopResize = (): void => {};
      const conn = await api.containers.attach(name, {
        stream: true, stdin: withStdin, stdout: true, stderr: true, ...(opts.detachKeys ? { detachKeys: opts.detachKeys } : {}),
      });
      try {
        await inspectRunning(api, name);
        if (tty && ctx.out.isTTY) {
          // A resize to one row and column more, then back: the shell redraws its prompt on a
          // second attach (docker's resizeTTY does the same).
          await api.containers.resize(name, (ctx.out.rows ?? 0) + 1, (ctx.out.columns ?? 0) + 1).catch(() => {});
          stopResize = monitorTtySize(ctx.out, (h, w) => api.containers.resize(name, h, w));
        }
        const end = await streamHijacked({ conn, tty, stdin: withStdin ? ctx.stdin : null, out: ctx.out, err: ctx.err, detachKeys,
      makeRaw: () => ctx.makeRawTerminal(),
    });
        if (end === 'detached') throw new StatusError(1, 'read escape sequence');
        const result = await waiting;
        if (result.Error?.Message) throw new StatusError(1, result.Error.Message);
        if (result.StatusCode !== 0) throw new StatusError(result.StatusCode);
      } finally {
        stopResize();
        stopSignals();
        conn.close();
      }
    },
  };
}
