// berth rmi / berth image rm: DELETE /images/{name}; prints "Untagged:" and "Deleted:"
// lines. With -f, images that do not exist are not an error (docker 28).
import { kindOf } from '../../../lib/index.ts';
import { describeError } from '../../describe-error.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface RmiOptions { force?: boolean; prune: boolean }

export function rmiVerb(): VerbSpec<RmiOptions> {
  return {
    name: 'rmi',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    description: 'Remove one or more images',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-f, --force', 'Force removal of the image')
      .option('--no-prune', 'Do not delete untagged parents'),
    action: async ({ ctx, args, opts, client }) => {
      const errors: unknown[] = [];
      for (const img of args) {
        try {
          const items = await client().images.remove(img, { force: opts.force === true, noPrune: !opts.prune });
          for (const d of items) {
            await writeOut(ctx.out, d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged ?? ''}\n`);
          }
        } catch (e) {
          errors.push(e);
        }
      }
      if (errors.length === 0) return;
      if (opts.force && errors.every((e) => kindOf(e) === 'not-found')) return;
      throw new StatusError(1, errors.map(describeError).join('\n'));
    },
  };
}
