// berth events: GET /events streamed, one line per event as docker prints it
// ("2024-05-01T12:00:00.000000000Z container start <id> (image=busybox, name=web)"), or a
// --format template per event; --since/--until take docker's timestamp forms.
import { type ExactEvent } from '../../../client/index.ts';
import { filterFlag } from '../../opts/filter-flag.ts';
import { messageOf } from '../../../lib/index.ts';
import { parseFormat } from '../../format/formatter.ts';
import { relativeTimestamp } from '../../opts/timestamp.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface EventsOptions { filter: string[]; format?: string; since?: string; until?: string }

/** jsonmessage.RFC3339NanoFixed in the local zone. */
export function rfc3339NanoFixed(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const nanos = String(timeNano % 1_000_000_000n).padStart(9, '0');
  const zone = offsetMin === 0 ? 'Z'
    : `${offsetMin < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
  return `${local.toISOString().slice(0, 19)}.${nanos}${zone}`;
}

export function formatEvent(e: ExactEvent): string {
  let line = '';
  if (e.exactTimeNano) line += `${rfc3339NanoFixed(e.exactTimeNano)} `;
  else if (e.timeNano) line += `${rfc3339NanoFixed(BigInt(e.timeNano))} `;
  else if (e.time) line += `${rfc3339NanoFixed(BigInt(e.time) * 1_000_000_000n)} `;
  line += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) line += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${line}\n`;
}

export function eventsVerb(): VerbSpec<EventsOptions> {
  return {
    name: 'events',
    usage: '[OPTIONS]',
    description: 'Get real time events from the server',
    args: { max: 0 },
    options: (cmd) => cmd
      .addOption(listOption('-f, --filter <filter>', 'Filter output based on conditions provided'))
      .option('--format <string>', 'Format output using a custom template')
      .option('--since <string>', 'Show all events created since timestamp')
      .option('--until <string>', 'Stream events until this timestamp'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter);
      const when = (v: string | undefined): string | undefined => {
        if (v === undefined) return undefined;
        try {
          return relativeTimestamp(v, ctx.now());
        } catch (e) {
          throw new StatusError(1, messageOf(e));
        }
      };
      const tmpl = opts.format ? parseFormat(opts.format === 'json' ? '{{json .}}' : opts.format) : null;
      const since = when(opts.since);
      const until = when(opts.until);
      const stream = client().system.events({ filters, ...(since ? { since } : {}), ...(until ? { until } : {}) });
      for await (const e of stream) {
        await writeOut(ctx.out, tmpl ? `${tmpl.execute(e)}\n` : formatEvent(e));
      }
    },
  };
}
