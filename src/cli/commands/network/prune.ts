// berth network prune: asks first (unless -f), then POST /networks/prune?filters=…;
// prints "Deleted Networks:" and the names, followed by a blank line (docker's Fprintln of
// the whole report). Answering no cancels quietly with exit 0, as docker does.
import { filterFlag } from '../../opts/filter-flag.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { confirm } from './confirm.ts';

export const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

interface PruneOptions { force?: boolean; filter: string[] }

export function networkPruneVerb(): VerbSpec<PruneOptions> {
  return {
    name: 'prune',
    usage: '[OPTIONS]',
    description: 'Remove all unused networks',
    args: { max: 0 },
    options: (cmd) => cmd
      .addOption(listOption('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")'))
      .option('-f, --force', 'Do not prompt for confirmation'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter, '--filter');
      if (!opts.force && !(await confirm(ctx, PRUNE_WARNING))) return;
      const report = await client().networks.prune({ filters });
      const deleted = report.NetworksDeleted ?? [];
      if (deleted.length === 0) return;
      await writeOut(ctx.out, `Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    },
  };
}
