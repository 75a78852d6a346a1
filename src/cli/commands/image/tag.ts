// berth tag SOURCE TARGET: POST /images/{source}/tag?repo=&tag= (tag defaults to latest).
import { parseReference, splitReference } from '../../../oci/index.ts';
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
      // The target is checked here, as docker's client does (reference.ParseNormalizedNamed).
      try {
        // Like docker's: the repository path is checked for upper case before anything else.
        if (remotePath(name).toLowerCase() !== remotePath(name)) throw new Error('must be lowercase');
        parseReference(args[1]!);
      } catch (e) {
        const msg = (e as Error).message.includes('must be lowercase')
          ? `invalid reference format: repository name (${remotePath(name)}) must be lowercase` : (e as Error).message;
        throw new StatusError(1, `Error parsing reference: ${JSON.stringify(args[1])} is not a valid repository/tag: ${msg}`);
      }
      // The full name, as docker's client sends it ("docker.io/library/x").
      await client().images.tag(args[0]!, normalizedName(name), tag ?? 'latest');
    },
  };
}

/** The path distribution's reference errors name: without the registry, "library/" for official images. */
function remotePath(name: string): string {
  const parts = name.split('/');
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) return parts.slice(1).join('/');
  return parts.length === 1 ? `library/${name}` : name;
}
