// berth diff CONTAINER: the container's changes against its image, one "K /path" a line
// (K: C changed, A added, D deleted), as docker diff prints them.
import { writeOut } from '../../write-out.ts';
import type { VerbSpec } from '../../verb.ts';

const KIND = ['C', 'A', 'D'];

export function diffVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'diff',
    usage: 'CONTAINER',
    description: 'Inspect changes to files or directories on a container\'s filesystem',
    args: { min: 1, max: 1 },
    action: async ({ ctx, args, client }) => {
      const changes = await client().containerFs.changes(args[0]!);
      await writeOut(ctx.out, (changes ?? []).map((c) => `${KIND[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
    },
  };
}
