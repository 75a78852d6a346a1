// berth volume prune: POST /volumes/prune after docker's confirmation prompt; anonymous
// volumes only unless --all (sent as the `all=true` filter, API 1.42+).
import { filterFlag } from '../../opts/filter-flag.ts';
import { humanSize } from '../../format/human-size.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { promptForConfirmation } from '../prompt-for-confirmation.ts';
import { writeOut } from '../../write-out.ts';

interface PruneOptions { all?: boolean; filter: string[]; force?: boolean }

export function volumePruneVerb(): VerbSpec<PruneOptions> {
  return {
    name: 'prune',
    usage: '[OPTIONS]',
    description: 'Remove unused local volumes',
    args: { max: 0 },
    options: (cmd) => cmd
      .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
      .addOption(listOption('--filter <filter>', 'Provide filter values (e.g. "label=<label>")'))
      .option('-f, --force', 'Do not prompt for confirmation'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter, '--filter');
      if (opts.all) filters.set('all', ['true']);
      const what = opts.all ? 'all local volumes' : 'anonymous local volumes';
      if (!opts.force && !(await promptForConfirmation(ctx, `WARNING! This will remove ${what} not used by at least one container.`))) return;
      const report = await client().volumes.prune({ filters });
      const deleted = report.VolumesDeleted ?? [];
      let out = '';
      if (deleted.length > 0) out += `Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(deleted.length > 0 ? report.SpaceReclaimed : 0)}\n`;
      await writeOut(ctx.out, out);
    },
  };
}
