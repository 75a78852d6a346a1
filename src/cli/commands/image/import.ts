// berth import file|URL|- [REPOSITORY[:TAG]]: the tarball streamed as the body of
// POST /images/create?fromSrc=-&repo=&changes=…; prints the new image id.
import type { Readable } from 'node:stream';
import { displayJsonMessages } from '../../streams/json-messages.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';

interface ImportOptions { change: string[]; message?: string; platform?: string }

export function importVerb(): VerbSpec<ImportOptions> {
  return {
    name: 'import',
    usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    description: 'Import the contents from a tarball to create a filesystem image',
    args: { min: 1, max: 2 },
    options: (cmd) => cmd
      .addOption(listOption('-c, --change <list>', 'Apply Dockerfile instruction to the created image'))
      .option('-m, --message <string>', 'Set commit message for imported image')
      .option('--platform <string>', 'Set platform if server is multi-platform capable'),
    action: async ({ ctx, args, opts, client }) => {
      const src = args[0]!;
      const ref = args[1];
      let source: Readable | null;
      let sourceName = '-';
      if (src === '-') source = ctx.stdin;
      else if (/^https?:\/\//.test(src)) { source = null; sourceName = src; }
      else source = await opened(ctx.openRead(src), src);
      const body = await client().images.import(source, {
        sourceName, reference: ref ?? '', changes: opts.change,
        ...(opts.message ? { message: opts.message } : {}), ...(opts.platform ? { platform: opts.platform } : {}),
      });
      await displayJsonMessages(body, ctx.out);
    },
  };
}

/** Waits for a file stream to open: a missing file is docker's "open X: no such file or directory". */
function opened(stream: Readable, path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    if (typeof (stream as { pending?: boolean }).pending !== 'boolean') { resolve(stream); return; }
    const onError = (e: NodeJS.ErrnoException): void => {
      const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
      reject(new StatusError(1, `open ${path}: ${why}`));
    };
    stream.once('error', onError);
    stream.once('ready', () => { stream.off('error', onError); resolve(stream); });
  });
}
