// berth load [-i FILE] [-q]: POST /images/load with the archive (a file or stdin) as the
// body; prints Docker's messages ("Loaded image: …"); progress bars only on a terminal.
import type { Readable } from 'node:stream';
import { displayJsonMessages } from '../../streams/json-messages.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';

interface LoadOptions { input?: string; quiet?: boolean }

export function loadVerb(): VerbSpec<LoadOptions> {
  return {
    name: 'load',
    usage: '[OPTIONS]',
    description: 'Load an image from a tar archive or STDIN',
    args: { max: 0 },
    options: (cmd) => cmd
      .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
      .option('-q, --quiet', 'Suppress the load output'),
    action: async ({ ctx, opts, client }) => {
      let source: Readable;
      if (opts.input) {
        source = ctx.openRead(opts.input);
      } else {
        if (ctx.stdin.isTTY) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
        source = ctx.stdin;
      }
      // docker/cli: no progress bars unless stdout is a terminal.
      const quiet = opts.quiet === true || !ctx.out.isTTY;
      const body = await client().images.load(source, quiet);
      await displayJsonMessages(body, ctx.out);
    },
  };
}
