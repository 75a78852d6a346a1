// berth volume ls: GET /volumes rendered as docker prints it (sorted by name).
import { filterFlag } from '../../opts/filter-flag.ts';
import { renderList } from '../../format/formatter.ts';
import { VOLUME_HEADER, volumeFormat, volumeRow } from '../../format/volume-context.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface LsOptions { quiet?: boolean; format?: string; filter: string[]; cluster?: boolean }

export function volumeLsVerb(): VerbSpec<LsOptions> {
  return {
    name: 'ls',
    aliases: ['list'],
    usage: '[OPTIONS]',
    description: 'List volumes',
    args: { max: 0 },
    options: (cmd) => cmd
      .addOption(listOption('-f, --filter <filter>', "Provide filter values (e.g. \"dangling=true\")"))
      .option('--format <string>', 'Format output using a custom template')
      .option('-q, --quiet', 'Only display volume names'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter);
      const res = await client().volumes.list({ filters });
      const vols = [...res.Volumes].sort((a, b) => a.Name.localeCompare(b.Name));
      const format = volumeFormat(opts.format ?? '', opts.quiet === true);
      await writeOut(ctx.out, renderList({ format, header: VOLUME_HEADER, items: vols.map(volumeRow) }));
    },
  };
}
