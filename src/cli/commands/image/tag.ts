// berth tag SOURCE TARGET: POST /images/{source}/tag?repo=&tag= (tag defaults to latest).
import { splitReference } from '../../../oci/index.ts';
import { normalizedName } from '../../format/image-ref.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';

export function tagVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'tag',
    usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    args: { min: 2, max: 2 },
    action: async ({ args, client }) => {
      const { name, tag, digest } = splitReference(args[1]!);
      if (digest !== null) throw new StatusError(1, 'refusing to create a tag with a digest reference');
      if (name === '') throw new StatusError(1, `Error parsing reference: ${JSON.stringify(args[1])} is not a valid repository/tag: invalid reference format`);
      // The full name, as docker's client sends it ("docker.io/library/x").
      await client().images.tag(args[0]!, normalizedName(name), tag ?? 'latest');
    },
  };
}
