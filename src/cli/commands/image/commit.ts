// berth commit CONTAINER [REPOSITORY[:TAG]]: POST /commit with docker's flags (-a, -c, -m,
// -p/--pause, on by default: the container is paused while its changes are copied); prints
// the new image id.
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface CommitOptions { author?: string; change: string[]; message?: string; pause: boolean }

export function commitVerb(): VerbSpec<CommitOptions> {
  return {
    name: 'commit',
    usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    description: "Create a new image from a container's changes",
    args: { min: 1, max: 2 },
    options: (cmd) => cmd
      .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .addOption(listOption('-c, --change <list>', 'Apply Dockerfile instruction to the created image'))
      .option('-m, --message <string>', 'Commit message')
      .option('-p, --pause [bool]', 'Pause container during commit', (v: string) => v !== 'false' && v !== '0', true),
    action: async ({ ctx, args, opts, client }) => {
      const api = client().images;
      if (!api.commit) throw new StatusError(1, 'commit is not supported by this client');
      const r = await api.commit(args[0]!, {
        reference: args[1] ?? '', changes: opts.change, pause: opts.pause,
        ...(opts.author ? { author: opts.author } : {}), ...(opts.message ? { comment: opts.message } : {}),
      });
      await writeOut(ctx.out, `${r.Id}\n`);
    },
  };
}
