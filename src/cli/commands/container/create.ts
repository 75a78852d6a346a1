// berth create: the run flags without the attach/detach ones; prints the new container's id.
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';
import { addContainerFlags } from './container-flags.ts';
import { createContainer } from './create-container.ts';
import { buildCreateBody, type RunOptions } from './run.ts';

export function createVerb(): VerbSpec<RunOptions> {
  return {
    name: 'create',
    usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
    description: 'Create a new container',
    args: { min: 1 },
    passThrough: true,
    helpLongOnly: true,
    options: (cmd) => addContainerFlags(cmd),
    action: async (call) => {
      const body = buildCreateBody({ ...call, opts: { ...call.opts, sigProxy: false } });
      const id = await createContainer(call.ctx, call.client(), body, {
        pull: call.opts.pull, quiet: call.opts.quiet === true,
        ...(call.opts.name ? { name: call.opts.name } : {}), ...(call.opts.platform ? { platform: call.opts.platform } : {}),
      });
      await writeOut(call.ctx.out, `${id}\n`);
    },
  };
}
