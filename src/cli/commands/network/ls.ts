// berth network ls: GET /networks?filters=… sorted by name (natural order), rendered as
// docker prints it.
import { filterFlag } from '../../opts/filter-flag.ts';
import { renderList } from '../../format/formatter.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { naturalCompare } from './natural-order.ts';
import { NETWORK_HEADER, networkContext, networkFormat } from './network-context.ts';

interface LsOptions { filter: string[]; format?: string; trunc: boolean; quiet?: boolean }

export function networkLsVerb(): VerbSpec<LsOptions> {
  return {
    name: 'ls',
    aliases: ['list'],
    usage: '[OPTIONS]',
    description: 'List networks',
    args: { max: 0 },
    options: (cmd) => cmd
      .addOption(listOption('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")'))
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-trunc', 'Do not truncate the output')
      .option('-q, --quiet', 'Only display network IDs'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter);
      const list = await client().networks.list({ filters });
      list.sort((a, b) => naturalCompare(a.Name, b.Name));
      const source = opts.format === undefined || opts.format === '' ? 'table' : opts.format;
      const items = list.map((n) => networkContext(n, opts.trunc));
      await writeOut(ctx.out, renderList({ format: networkFormat(source, opts.quiet === true), header: NETWORK_HEADER, items }));
    },
  };
}
