// berth volume rm: DELETE /volumes/{name} for each; prints the names removed, reports the
// failures together at the end (exit 1), as docker does.
import { describeError } from '../../describe-error.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface RmOptions { force?: boolean }

export function volumeRmVerb(): VerbSpec<RmOptions> {
  return {
    name: 'rm',
    aliases: ['remove'],
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    description: 'Remove one or more volumes',
    args: { min: 1 },
    options: (cmd) => cmd.option('-f, --force', 'Force the removal of one or more volumes'),
    action: async ({ ctx, args, opts, client }) => {
      const errors: string[] = [];
      for (const name of args) {
        try {
          await client().volumes.remove(name, { force: opts.force === true });
          await writeOut(ctx.out, `${name}\n`);
        } catch (e) {
          errors.push(describeError(e));
        }
      }
      if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    },
  };
}
