// berth network rm: DELETE /networks/{id} per argument, in order. Each removed name is
// printed on stdout, each failure on stderr as it happens (docker's runRemove); the exit
// code is 1 when any failed. -f skips networks that do not exist.
import { kindOf } from '../../../lib/index.ts';
import { describeError } from '../../describe-error.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface RmOptions { force?: boolean }

export function networkRmVerb(): VerbSpec<RmOptions> {
  return {
    name: 'rm',
    aliases: ['remove'],
    usage: 'NETWORK [NETWORK...]',
    description: 'Remove one or more networks',
    args: { min: 1 },
    options: (cmd) => cmd.option('-f, --force', 'Do not error if the network does not exist'),
    action: async ({ ctx, args, opts, client }) => {
      let failed = false;
      for (const name of args) {
        try {
          await client().networks.remove(name);
        } catch (e) {
          if (opts.force && kindOf(e) === 'not-found') continue;
          await writeOut(ctx.err, `${describeError(e)}\n`);
          failed = true;
          continue;
        }
        await writeOut(ctx.out, `${name}\n`);
      }
      // docker 28's network rm ends a failed run with cli.StatusError{StatusCode: 1}, printed as "exit status 1".
      if (failed) throw new StatusError(1, 'exit status 1');
    },
  };
}
