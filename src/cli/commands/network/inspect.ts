// berth network inspect: GET /networks/{id} per argument, printed as docker's inspect.
import type { VerbSpec } from '../../verb.ts';
import { inspectObjects } from '../inspect-output.ts';

interface InspectOptions { format?: string; verbose?: boolean }

export function networkInspectVerb(): VerbSpec<InspectOptions> {
  return {
    name: 'inspect',
    usage: '[OPTIONS] NETWORK [NETWORK...]',
    description: 'Display detailed information on one or more networks',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-f, --format <string>', 'Format output using a custom template')
      .option('-v, --verbose', 'Verbose output for diagnostics'),
    action: async ({ ctx, args, opts, client }) => {
      await inspectObjects(ctx, args, opts.format, async (ref) => (await client().networks.inspect(ref, { verbose: opts.verbose === true })).raw);
    },
  };
}
