// berth image inspect: GET /images/{name}/json.
import type { VerbSpec } from '../../verb.ts';
import { inspectObjects } from '../inspect-output.ts';

interface InspectOptions { format?: string }

export function imageInspectVerb(): VerbSpec<InspectOptions> {
  return {
    name: 'inspect',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    description: 'Display detailed information on one or more images',
    args: { min: 1 },
    options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
    action: async ({ ctx, args, opts, client }) => {
      await inspectObjects(ctx, args, opts.format, async (ref) => (await client().images.inspect(ref)).raw);
    },
  };
}
