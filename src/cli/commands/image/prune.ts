// berth image prune: POST /images/prune after docker's confirmation prompt; dangling images
// only unless -a (sent as the filter dangling=false). Output as docker's: the untagged and
// deleted lines, then the space reclaimed.
import { filterFlag } from '../../opts/filter-flag.ts';
import { humanSize } from '../../format/human-size.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { promptForConfirmation } from '../prompt-for-confirmation.ts';
import { writeOut } from '../../write-out.ts';

interface PruneOptions { all?: boolean; filter: string[]; force?: boolean }

export function imagePruneVerb(): VerbSpec<PruneOptions> {
  return {
    name: 'prune',
    usage: '[OPTIONS]',
    description: 'Remove unused images',
    args: { max: 0 },
    options: (cmd) => cmd
      .option('-a, --all', 'Remove all unused images, not just dangling ones')
      .addOption(listOption('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")'))
      .option('-f, --force', 'Do not prompt for confirmation'),
    action: async ({ ctx, opts, client }) => {
      const filters = filterFlag(opts.filter, '--filter');
      filters.set('dangling', [opts.all ? 'false' : 'true']);
      const warning = opts.all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!opts.force && !(await promptForConfirmation(ctx, warning))) return;
      const api = client().images;
      if (!api.prune) throw new StatusError(1, 'image prune is not supported by this client');
      const report = await api.prune({ filters });
      const deleted = report.ImagesDeleted ?? [];
      let out = '';
      if (deleted.length > 0) {
        out += `Deleted Images:\n${deleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ''}\n`)).join('')}\n`;
      }
      out += `Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`;
      await writeOut(ctx.out, out);
    },
  };
}
