// berth wait: blocks until each container stops, then prints its exit code.
import { StatusError } from '../../status-error.ts';
import { describeError } from '../../describe-error.ts';
import { writeOut } from '../../write-out.ts';
import type { VerbSpec } from '../../verb.ts';

export function waitVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'wait',
    usage: 'CONTAINER [CONTAINER...]',
    description: 'Block until one or more containers stop, then print their exit codes',
    args: { min: 1 },
    action: async ({ ctx, args, client }) => {
      const errors: string[] = [];
      const results = await Promise.allSettled(args.map((id) => client().containers.wait(id)));
      for (const r of results) {
        if (r.status === 'rejected') errors.push(describeError(r.reason));
        else if (r.value.Error?.Message) errors.push(r.value.Error.Message);
        else await writeOut(ctx.out, `${r.value.StatusCode}\n`);
      }
      if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    },
  };
}
