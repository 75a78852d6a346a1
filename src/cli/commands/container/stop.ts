// berth stop / berth restart: POST /containers/{id}/stop|restart?t=&signal=.
import { FlagValueError } from '../../opts/flag-value-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { eachContainer } from '../each-container.ts';
import { writeOut } from '../../write-out.ts';

interface StopOptions { time?: string; timeout?: string; signal?: string }

function parseTimeout(opts: StopOptions): number | undefined {
  const raw = opts.timeout ?? opts.time;
  if (raw === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(raw)) {
    throw new FlagValueError('-t, --timeout', raw, `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(raw);
}

function stopLike(verb: 'stop' | 'restart'): VerbSpec<StopOptions> {
  return {
    name: verb,
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: verb === 'stop' ? 'Stop one or more running containers' : 'Restart one or more containers',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-s, --signal <string>', 'Signal to send to the container')
      .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
      .option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)'),
    action: async ({ ctx, args, opts, client, source }) => {
      if (source('time') === 'cli') await writeOut(ctx.err, 'Flag --time has been deprecated, use --timeout instead\n');
      const timeout = parseTimeout(opts);
      const options = { ...(timeout === undefined ? {} : { timeout }), ...(opts.signal ? { signal: opts.signal } : {}) };
      const api = client().containers;
      await eachContainer(ctx, args, (id) => (verb === 'stop' ? api.stop(id, options) : api.restart(id, options)));
    },
  };
}

export const stopVerb = (): VerbSpec<StopOptions> => stopLike('stop');
export const restartVerb = (): VerbSpec<StopOptions> => stopLike('restart');
