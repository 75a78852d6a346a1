// berth top CONTAINER [ps OPTIONS]: the process table, aligned like docker's
// (tabwriter min width 20, padding 3).
import { TabWriter } from '../../format/tab-writer.ts';
import { writeOut } from '../../write-out.ts';
import type { VerbSpec } from '../../verb.ts';

export function topVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'top',
    usage: 'CONTAINER [ps OPTIONS]',
    description: 'Display the running processes of a container',
    args: { min: 1 },
    passThrough: true,
    action: async ({ ctx, args, client }) => {
      const top = await client().containers.top(args[0]!, args.slice(1).join(' '));
      const w = new TabWriter({ minWidth: 20, tabWidth: 1, padding: 3 });
      w.write(`${top.Titles.join('\t')}\n`);
      for (const p of top.Processes) w.write(`${p.join('\t')}\n`);
      await writeOut(ctx.out, w.flush());
    },
  };
}
