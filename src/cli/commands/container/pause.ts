// berth pause / berth unpause.
import type { VerbSpec } from '../../verb.ts';
import { eachContainer } from '../each-container.ts';

function pauseLike(verb: 'pause' | 'unpause'): VerbSpec<Record<string, never>> {
  return {
    name: verb,
    usage: 'CONTAINER [CONTAINER...]',
    description: verb === 'pause' ? 'Pause all processes within one or more containers' : 'Unpause all processes within one or more containers',
    args: { min: 1 },
    action: async ({ ctx, args, client }) => {
      const api = client().containers;
      await eachContainer(ctx, args, (id) => (verb === 'pause' ? api.pause(id) : api.unpause(id)));
    },
  };
}

export const pauseVerb = (): VerbSpec<Record<string, never>> => pauseLike('pause');
export const unpauseVerb = (): VerbSpec<Record<string, never>> => pauseLike('unpause');
