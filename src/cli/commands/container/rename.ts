// berth rename OLD NEW.
import type { VerbSpec } from '../../verb.ts';

export function renameVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'rename',
    usage: 'CONTAINER NEW_NAME',
    description: 'Rename a container',
    args: { min: 2, max: 2 },
    action: async ({ args, client }) => {
      const [oldName, newName] = [args[0]!.trim(), args[1]!.trim()];
      if (oldName === '' || newName === '') throw new Error('Error: Neither old nor new names may be empty');
      await client().containers.rename(oldName, newName);
    },
  };
}
