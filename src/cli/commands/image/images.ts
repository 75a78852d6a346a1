// berth images / berth image ls: GET /images/json rendered as docker prints it; a
// REPOSITORY[:TAG] argument becomes a `reference` filter.
import { filterFlag } from '../../opts/filter-flag.ts';
import { renderList } from '../../format/formatter.ts';
import { imageFormat, imageRows, IMAGE_HEADER } from '../../format/image-context.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface ImagesOptions { all?: boolean; quiet?: boolean; trunc: boolean; digests?: boolean; format?: string; filter: string[] }

export function imagesVerb(): VerbSpec<ImagesOptions> {
  return {
    name: 'images',
    usage: '[OPTIONS] [REPOSITORY[:TAG]]',
    description: 'List images',
    args: { max: 1 },
    options: (cmd) => cmd
      .option('-a, --all', 'Show all images (default hides intermediate images)')
      .option('--digests', 'Show digests')
      .addOption(listOption('-f, --filter <filter>', 'Filter output based on conditions provided'))
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs'),
    action: async ({ ctx, args, opts, client }) => {
      const filters = filterFlag(opts.filter);
      if (args[0] !== undefined) filters.set('reference', [...(filters.get('reference') ?? []), args[0]]);
      const images = await client().images.list({ all: opts.all === true, filters });
      const source = opts.format === undefined || opts.format === '' ? 'table' : opts.format;
      const format = imageFormat(source, opts.quiet === true, opts.digests === true);
      const rows = imageRows(images, {
        trunc: opts.trunc, now: ctx.now(), digest: opts.digests === true, formatHasDigest: format.includes('{{.Digest}}'),
      });
      await writeOut(ctx.out, renderList({ format, header: IMAGE_HEADER, items: rows }));
    },
  };
}
