// berth container inspect: GET /containers/{id}/json (?size=1 with -s).
import type { VerbSpec } from '../../verb.ts';
import { inspectObjects } from '../inspect-output.ts';

interface InspectOptions { format?: string; size?: boolean }

export function containerInspectVerb(): VerbSpec<InspectOptions> {
  return {
    name: 'inspect',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Display detailed information on one or more containers',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-f, --format <string>', 'Format output using a custom template')
      .option('-s, --size', 'Display total file sizes'),
    action: async ({ ctx, args, opts, client }) => {
      await inspectObjects(ctx, args, opts.format, async (ref) => (await client().containers.inspect(ref, { size: opts.size === true })).raw);
    },
  };
}
