// docker's parallelOperation pattern for verbs that take many containers (stop, kill, rm,
// pause, …): run the operation on all of them at once, print each name that succeeded in
// argument order, and fail with all the errors joined by newlines.
import type { CliContext } from '../cli-context.ts';
import { describeError } from '../describe-error.ts';
import { StatusError } from '../status-error.ts';
import { writeOut } from '../write-out.ts';

export interface EachOptions {
  /** Decides, per failure, to report it on stderr and carry on (rm -f on a missing one). */
  tolerate?: (err: unknown) => boolean;
}

export async function eachContainer(
  ctx: CliContext, names: readonly string[], op: (name: string) => Promise<unknown>, opts: EachOptions = {},
): Promise<void> {
  const results = await Promise.allSettled(names.map((n) => op(n)));
  const errors: string[] = [];
  for (const [i, r] of results.entries()) {
    if (r.status === 'fulfilled') {
      await writeOut(ctx.out, `${names[i]}\n`);
    } else if (opts.tolerate?.(r.reason)) {
      await writeOut(ctx.err, `${describeError(r.reason)}\n`);
    } else {
      errors.push(describeError(r.reason));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
}
