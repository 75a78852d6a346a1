// berth exec: POST /containers/{id}/exec then /exec/{id}/start, hijacked unless -d; exits
// with the process's exit code (GET /exec/{id}/json), as docker 28 does.
import type { ExecCreateRequest } from '../../../api/types/index.ts';
import { messageOf } from '../../../lib/index.ts';
import { parseKeyValueFile } from '../../opts/env-file.ts';
import { detachKeysToBytes, DEFAULT_DETACH_KEYS } from '../../opts/detach-keys.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { validateEnv } from '../../opts/key-value.ts';
import { StatusError } from '../../status-error.ts';
import { streamHijacked } from '../../streams/hijacked-io.ts';
import { consoleSize, monitorTtySize } from '../../streams/tty-size.ts';
import { listOption, type VerbSpec } from '../../verb.ts';

interface ExecOptions {
  detach?: boolean; detachKeys?: string; env: string[]; envFile: string[]; interactive?: boolean;
  privileged?: boolean; tty?: boolean; user?: string; workdir?: string;
}

export function execVerb(): VerbSpec<ExecOptions> {
  return {
    name: 'exec',
    usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
    description: 'Execute a command in a running container',
    args: { min: 2 },
    passThrough: true,
    options: (cmd) => cmd
      .option('-d, --detach', 'Detached mode: run command in the background')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
      .addOption(listOption('-e, --env <list>', 'Set environment variables'))
      .addOption(listOption('--env-file <list>', 'Read in a file of environment variables'))
      .option('-i, --interactive', 'Keep STDIN open even if not attached')
      .option('--privileged', 'Give extended privileges to the command')
      .option('-t, --tty', 'Allocate a pseudo-TTY')
      .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
      .option('-w, --workdir <string>', 'Working directory inside the container'),
    action: async ({ ctx, args, opts, client }) => {
      const container = args[0]!;
      const cmdline = args.slice(1);
      const env = [
        ...opts.envFile.flatMap((f) => parseKeyValueFile(f, ctx.readFile(f), (k) => ctx.env[k])),
        ...opts.env.map((e) => {
          try {
            return validateEnv(e, (k) => ctx.env[k]);
          } catch (err) {
            throw new FlagValueError('-e, --env', e, messageOf(err));
          }
        }),
      ];
      const detach = opts.detach === true;
      const tty = opts.tty === true;
      const body: ExecCreateRequest = {
        User: opts.user ?? '', Privileged: opts.privileged === true, Tty: tty,
        AttachStdin: !detach && opts.interactive === true, AttachStdout: !detach, AttachStderr: !detach,
        DetachKeys: opts.detachKeys ?? '', Env: env.length > 0 ? env : null, WorkingDir: opts.workdir ?? '', Cmd: cmdline,
      };
      const api = client();
      // An inspect first, so "No such container" wins over other errors (docker does this).
      await api.containers.inspect(container);
      if (!detach && body.AttachStdin && tty && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
      const size = tty ? consoleSize(ctx.out) : null;
      if (size && (size[0] !== 0 || size[1] !== 0)) body.ConsoleSize = size;
      const { Id: execId } = await api.exec.create(container, body);
      if (!execId) throw new StatusError(1, 'exec ID empty');
      const startOpts = { tty, ...(body.ConsoleSize ? { consoleSize: body.ConsoleSize } : {}) };
      if (detach) {
        await api.exec.startDetached(execId, startOpts);
        return;
      }
      const detachKeys = detachKeysToBytes(opts.detachKeys || DEFAULT_DETACH_KEYS);
      const conn = await api.exec.attach(execId, startOpts);
      let stopResize = (): void => {};
      try {
        if (tty && ctx.stdin.isTTY) stopResize = monitorTtySize(ctx.out, (h, w) => api.exec.resize(execId, h, w));
        await streamHijacked({
          conn, tty, stdin: body.AttachStdin ? ctx.stdin : null, out: ctx.out, err: tty ? ctx.out : ctx.err, detachKeys,
          makeRaw: () => ctx.makeRawTerminal(),
        });
      } finally {
        stopResize();
        conn.close();
      }
      const result = await api.exec.inspect(execId);
      if (result.ExitCode !== null && result.ExitCode !== 0) throw new StatusError(result.ExitCode);
    },
  };
}
