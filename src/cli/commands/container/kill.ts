// berth kill: POST /containers/{id}/kill?signal=.
import type { VerbSpec } from '../../verb.ts';
import { eachContainer } from '../each-container.ts';

interface KillOptions { signal?: string }

export function killVerb(): VerbSpec<KillOptions> {
  return {
    name: 'kill',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Kill one or more running containers',
    args: { min: 1 },
    options: (cmd) => cmd.option('-s, --signal <string>', 'Signal to send to the container'),
    action: async ({ ctx, args, opts, client }) => {
      await eachContainer(ctx, args, (id) => client().containers.kill(id, opts.signal));
    },
  };
}
