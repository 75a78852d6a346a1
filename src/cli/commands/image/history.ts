// berth history / berth image history: GET /images/{name}/history as docker prints it
// (formatter/history.go): IMAGE, CREATED, CREATED BY (45 columns unless --no-trunc), SIZE,
// COMMENT; -H=false shows RFC 3339 times and sizes in bytes.
import type { ImageHistoryItem } from '../../../api/types/index.ts';
import { renderList } from '../../format/formatter.ts';
import { GoStruct } from '../../format/go-value.ts';
import { humanDuration } from '../../format/human-duration.ts';
import { humanSize } from '../../format/human-size.ts';
import { ellipsis, truncateId } from '../../format/short-text.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface HistoryOptions { human: boolean; trunc: boolean; quiet?: boolean; format?: string }

const HEADER = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

/** time.Format(time.RFC3339) in the local zone. */
function rfc3339(seconds: number): string {
  const d = new Date(seconds * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const abs = Math.abs(off);
  return `${local}${off < 0 ? '-' : '+'}${String(Math.trunc(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function historyContext(h: ImageHistoryItem, opts: { trunc: boolean; human: boolean; now: Date }): GoStruct {
  const createdAt = (): string => rfc3339(h.Created);
  return new GoStruct('*image.historyContext', {
    ID: () => (opts.trunc ? truncateId(h.Id) : h.Id),
    CreatedSince: () => (opts.human ? `${humanDuration(opts.now.getTime() - h.Created * 1000)} ago` : createdAt()),
    CreatedAt: createdAt,
    CreatedBy: () => {
      const by = h.CreatedBy.replaceAll('\t', ' ');
      return opts.trunc ? ellipsis(by, 45) : by;
    },
    Size: () => (opts.human ? humanSize(h.Size, 3) : String(h.Size)),
    Comment: () => h.Comment,
  });
}

export function historyVerb(): VerbSpec<HistoryOptions> {
  return {
    name: 'history',
    usage: '[OPTIONS] IMAGE',
    description: 'Show the history of an image',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('--format <string>', 'Format output using a custom template')
      .option('-H, --human', 'Print sizes and dates in human readable format (default true)', true)
      .option('--no-human', 'Print sizes in bytes and dates in RFC 3339')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs'),
    action: async ({ ctx, args, opts, client }) => {
      const items = await client().images.history(args[0]!);
      let format = opts.format ?? '';
      if (opts.quiet) format = '{{.ID}}';
      else if (format === '' || format === 'table') {
        format = opts.human
          ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
          : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
      }
      const now = ctx.now();
      const rows = items.map((h) => historyContext(h, { trunc: opts.trunc, human: opts.human, now }));
      await writeOut(ctx.out, renderList({ format, header: HEADER, items: rows }));
    },
  };
}
