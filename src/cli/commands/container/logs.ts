// berth logs: GET /containers/{id}/logs. As docker does, the container is inspected first:
// with a TTY the stream is raw, without one it is multiplexed (stdout and stderr frames).
import type { Readable } from 'node:stream';
import { StdcopyDecoder } from '../../../client/index.ts';
import { messageOf } from '../../../lib/index.ts';
import { relativeTimestamp } from '../../opts/timestamp.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import type { OutStream } from '../../cli-context.ts';

interface LogsOptions { follow?: boolean; tail: string; since?: string; until?: string; timestamps?: boolean; details?: boolean }

export function logsVerb(): VerbSpec<LogsOptions> {
  return {
    name: 'logs',
    usage: '[OPTIONS] CONTAINER',
    description: 'Fetch the logs of a container',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('--details', 'Show extra details provided to logs')
      .option('-f, --follow', 'Follow log output')
      .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
      .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('-t, --timestamps', 'Show timestamps')
      .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    action: async ({ ctx, args, opts, client }) => {
      const api = client().containers;
      const { value: c } = await api.inspect(args[0]!);
      const now = ctx.now();
      const since = opts.since === undefined ? undefined : timestampFlag('since', opts.since, now);
      const until = opts.until === undefined ? undefined : timestampFlag('until', opts.until, now);
      const body = await api.logs(c.Id, {
        stdout: true, stderr: true, follow: opts.follow === true, tail: opts.tail, timestamps: opts.timestamps === true,
        details: opts.details === true, ...(since ? { since } : {}), ...(until ? { until } : {}),
      });
      await copyOutput(body, c.Config.Tty === true, ctx.out, ctx.err);
    },
  };
}

/** docker's client checks these itself: `invalid value for "since": …`, exit 1. */
function timestampFlag(name: string, value: string, now: Date): string {
  try {
    return relativeTimestamp(value, now);
  } catch (e) {
    throw new StatusError(1, `invalid value for "${name}": ${messageOf(e)}`);
  }
}

/** Copies a logs/attach body to stdout, demultiplexing stdout and stderr frames unless TTY. */
export async function copyOutput(body: Readable, tty: boolean, out: OutStream, err: OutStream): Promise<void> {
  if (tty) {
    for await (const chunk of body) await writeOut(out, toBuffer(chunk));
    return;
  }
  const frames: [OutStream, Buffer][] = [];
  const dec = new StdcopyDecoder((stream, payload) => {
    frames.push([stream === 'stderr' ? err : out, Buffer.from(payload)]);
  });
  for await (const chunk of body) {
    dec.push(toBuffer(chunk));
    // One frame at a time, so a slow reader costs one 'drain' wait, not one per frame.
    for (const [target, data] of frames.splice(0)) await writeOut(target, data);
  }
}

function toBuffer(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}
