// berth volume create: POST /volumes/create; prints the volume's name.
import { InvalidArgumentError } from '../../../lib/index.ts';
import { keyValueMap, validateLabel } from '../../opts/key-value.ts';
import { FlagValueError } from '../../opts/flag-value-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface CreateOptions { driver: string; label: string[]; opt: string[]; name?: string }

export function volumeCreateVerb(): VerbSpec<CreateOptions> {
  return {
    name: 'create',
    usage: '[OPTIONS] [VOLUME]',
    description: 'Create a volume',
    args: { max: 1 },
    options: (cmd) => cmd
      .option('-d, --driver <string>', 'Specify volume driver name', 'local')
      .addOption(listOption('--label <list>', 'Set metadata for a volume'))
      .addOption(listOption('-o, --opt <map>', 'Set driver specific options'))
      .option('--name <string>', 'Specify volume name'),
    action: async ({ ctx, args, opts, client, usageError }) => {
      if (args[0] !== undefined && opts.name !== undefined && opts.name !== args[0]) {
        throw usageError(`conflicting options: either specify --name or provide positional arg, not both`);
      }
      for (const l of opts.label) {
        try { validateLabel(l); } catch (e) { throw new FlagValueError('--label', l, (e as Error).message); }
      }
      for (const o of opts.opt) {
        if (!o.includes('=')) throw new FlagValueError('-o, --opt', o, new InvalidArgumentError(`invalid key/value pair format in driver options`).message);
      }
      const v = await client().volumes.create({
        Name: args[0] ?? opts.name ?? '', Driver: opts.driver, DriverOpts: keyValueMap(opts.opt), Labels: keyValueMap(opts.label),
      });
      await writeOut(ctx.out, `${v.Name}\n`);
    },
  };
}
