// berth volume inspect: GET /volumes/{name}.
import type { VerbSpec } from '../../verb.ts';
import { inspectObjects } from '../inspect-output.ts';

interface InspectOptions { format?: string }

export function volumeInspectVerb(): VerbSpec<InspectOptions> {
  return {
    name: 'inspect',
    usage: '[OPTIONS] VOLUME [VOLUME...]',
    description: 'Display detailed information on one or more volumes',
    args: { min: 1 },
    options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
    action: async ({ ctx, args, opts, client }) => {
      await inspectObjects(ctx, args, opts.format, async (name) => (await client().volumes.inspect(name)).raw);
    },
  };
}
