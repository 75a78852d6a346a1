// berth ps / berth container ls: GET /containers/json rendered as docker prints it. A
// --format that reads .Size turns on size=1 unless --size was given explicitly (docker
// #24696).
import { Option } from 'commander';
import { filterFlag } from '../../opts/filter-flag.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { messageOf } from '../../../lib/index.ts';
import { containerContext, containerFormat, CONTAINER_HEADER } from '../../format/container-context.ts';
import { FormatError, parseFormat, renderList } from '../../format/formatter.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface PsOptions {
  all?: boolean; quiet?: boolean; size?: boolean; trunc: boolean; latest?: boolean; last: string; format?: string;
  filter: string[];
}

const EMPTY_SUMMARY = {
  Id: '', Names: [], Image: '', ImageID: '', Command: '', Created: 0, Ports: [], Labels: {}, State: 'created' as const,
  Status: '', HostConfig: { NetworkMode: '' }, NetworkSettings: { Networks: {} }, Mounts: [],
};

/** Runs the template once on an empty container to validate it and see whether it reads .Size. */
function probeFormat(format: string, now: Date): boolean {
  const tmpl = (() => {
    try {
      return parseFormat(format);
    } catch (e) {
      throw new FormatError(`failed to parse template: ${messageOf(e).replace(/^template parsing error: /, '')}`);
    }
  })();
  let sizeUsed = false;
  try {
    tmpl.execute(containerContext(EMPTY_SUMMARY, { trunc: true, now, onSizeUsed: () => { sizeUsed = true; } }));
  } catch (e) {
    throw new FormatError(`failed to execute template: ${messageOf(e)}`);
  }
  return sizeUsed;
}

export function psVerb(): VerbSpec<PsOptions> {
  return {
    name: 'ps',
    usage: '[OPTIONS]',
    description: 'List containers',
    args: { max: 0 },
    options: (cmd) => cmd
      .option('-a, --all', 'Show all containers (default shows just running)')
      .addOption(listOption('-f, --filter <filter>', 'Filter output based on conditions provided'))
      .option('--format <string>', 'Format output using a custom template')
      .option('-n, --last <int>', 'Show n last created containers (includes all states)', '-1')
      .option('-l, --latest', 'Show the latest created container (includes all states)')
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only display container IDs')
      .option('-s, --size', 'Display total file sizes')
      // `--size=false` arrives as --no-size, so an explicit "no" stops the automatic size=1.
      .addOption(new Option('--no-size').hideHelp()),
    action: async ({ ctx, opts, client, source }) => {
      const format = opts.format ?? '';
      if (format !== '' && opts.quiet) {
        await writeOut(ctx.err, 'WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
      }
      if (!/^[+-]?\d+$/.test(opts.last)) {
        throw new FlagValueError('-n, --last', opts.last, `strconv.ParseInt: parsing ${JSON.stringify(opts.last)}: invalid syntax`);
      }
      const filters = filterFlag(opts.filter);
      let limit = Number(opts.last);
      if (opts.latest && limit === -1) limit = 1;
      let size = opts.size === true;
      if (format !== '') {
        const usesSize = probeFormat(format, ctx.now());
        if (!opts.quiet && !size && source('size') !== 'cli' && usesSize) size = true;
      }
      const list = await client().containers.list({ all: opts.all === true, limit, size, filters });
      const now = ctx.now();
      const items = list.map((c) => containerContext(c, { trunc: opts.trunc, now }));
      await writeOut(ctx.out, renderList({ format: containerFormat(format, opts.quiet === true, size), header: CONTAINER_HEADER, items }));
    },
  };
}
