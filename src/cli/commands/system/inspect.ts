// berth inspect: any object by name or id. Without --type a container is tried first,
// then an image, then a volume (docker's inspectAll order); when none exists: "Error: No such object".
import { kindOf } from '../../../lib/index.ts';
import type { EngineApi } from '../../../client/index.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { inspectObjects } from '../inspect-output.ts';

interface InspectOptions { format?: string; size?: boolean; type?: string }

const TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export function inspectVerb(): VerbSpec<InspectOptions> {
  return {
    name: 'inspect',
    usage: '[OPTIONS] NAME|ID [NAME|ID...]',
    description: 'Return low-level information on berth objects',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-f, --format <string>', 'Format output using a custom template')
      .option('-s, --size', 'Display total file sizes if the type is container')
      .option('--type <string>', 'Only inspect objects of the given type'),
    action: async ({ ctx, args, opts, client }) => {
      const type = opts.type ?? '';
      if (type !== '' && !TYPES.includes(type)) throw new StatusError(1, `"${type}" is not a valid value for --type`);
      if (type !== '' && type !== 'container' && type !== 'image' && type !== 'volume') {
        throw new StatusError(1, `${ctx.name}: inspecting objects of type ${type} is not supported yet`);
      }
      await inspectObjects(ctx, args, opts.format, (ref) => lookupAny(client(), ref, type, opts.size === true));
    },
  };
}

async function lookupAny(api: EngineApi, ref: string, type: string, size: boolean): Promise<string> {
  if (type === 'container') return (await api.containers.inspect(ref, { size })).raw;
  if (type === 'image') return (await api.images.inspect(ref)).raw;
  if (type === 'volume') return (await api.volumes.inspect(ref)).raw;
  try {
    return (await api.containers.inspect(ref, { size })).raw;
  } catch (e) {
    if (kindOf(e) !== 'not-found') throw e;
  }
  try {
    return (await api.images.inspect(ref)).raw;
  } catch (e) {
    if (kindOf(e) !== 'not-found') throw e;
  }
  try {
    return (await api.volumes.inspect(ref)).raw;
  } catch (e) {
    if (kindOf(e) !== 'not-found') throw e;
  }
  throw new Error(`Error: No such object: ${ref}`);
}
