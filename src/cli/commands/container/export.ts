// berth export [-o FILE] CONTAINER: the container's filesystem as a tar archive, to a file
// or to stdout (never to a terminal, as docker refuses).
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { VerbSpec } from '../../verb.ts';

export function exportVerb(): VerbSpec<{ output?: string }> {
  return {
    name: 'export',
    usage: '[OPTIONS] CONTAINER',
    description: 'Export a container\'s filesystem as a tar archive',
    args: { min: 1, max: 1 },
    options: (cmd) => { cmd.option('-o, --output <string>', 'Write to a file, instead of STDOUT'); },
    action: async ({ ctx, args, opts, client }) => {
      if (!opts.output && ctx.out.isTTY) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const tar = await client().containerFs.export(args[0]!);
      if (opts.output) await pipeline(tar, createWriteStream(opts.output));
      else await pipeline(tar, ctx.out, { end: false });
    },
  };
}
