// berth save [-o FILE] IMAGE...: GET /images/get?names=… into a file (written next to it
// and renamed in, as docker/cli's CopyToFile) or to stdout, never to a terminal.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';

interface SaveOptions { output?: string }

export function saveVerb(): VerbSpec<SaveOptions> {
  return {
    name: 'save',
    usage: '[OPTIONS] IMAGE [IMAGE...]',
    description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    args: { min: 1 },
    options: (cmd) => cmd.option('-o, --output <string>', 'Write to a file, instead of STDOUT'),
    action: async ({ ctx, args, opts, client }) => {
      if (!opts.output && ctx.out.isTTY) {
        throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      const body = await client().images.save(args);
      if (!opts.output) {
        await pipeline(body, ctx.out, { end: false });
        return;
      }
      const tmp = join(dirname(opts.output), `.${basename(opts.output)}.${process.pid}.tmp`);
      try {
        await pipeline(body, createWriteStream(tmp));
        await rename(tmp, opts.output);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new StatusError(1, `failed to save image: ${(err as Error).message}`);
      }
    },
  };
}
