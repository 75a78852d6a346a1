// berth push [OPTIONS] NAME[:TAG]: POST /images/{name}/push?tag= with X-Registry-Auth from
// the docker config; -a pushes every tag of the repository (no tag parameter), -q prints
// only the digest line's reference.
import { splitReference } from '../../../oci/index.ts';
import { normalizedName } from '../../format/image-ref.ts';
import { displayJsonMessages } from '../../streams/json-messages.ts';
import { encodeRegistryAuth, getCredentials, registryKeyOf } from '../../docker-config.ts';
import { StatusError } from '../../status-error.ts';
import { writeOut } from '../../write-out.ts';
import type { VerbSpec } from '../../verb.ts';

interface PushOptions { allTags?: boolean; quiet?: boolean }

export function pushVerb(): VerbSpec<PushOptions> {
  return {
    name: 'push',
    usage: '[OPTIONS] NAME[:TAG]',
    description: 'Upload an image to a registry',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('-a, --all-tags', 'Push all tags of an image to the repository')
      .option('-q, --quiet', 'Suppress verbose output'),
    action: async ({ ctx, args, opts, client }) => {
      const { name, tag, digest } = splitReference(args[0]!);
      if (digest !== null) throw new StatusError(1, 'cannot push a digest reference');
      if (opts.allTags && tag !== null) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
      const auth = encodeRegistryAuth(getCredentials(ctx.env, registryKeyOf(name)));
      const api = client();
      const tags = opts.allTags
        ? (await api.images.list({ filters: new Map([['reference', [name]]]) })).flatMap((i) => i.RepoTags ?? []).map((t) => splitReference(t).tag!).filter(Boolean)
        : [tag ?? 'latest'];
      if (opts.allTags && tags.length === 0) throw new StatusError(1, `An image does not exist locally with the tag: ${name}`);
      for (const t of tags) {
        const body = await api.images.push(normalizedName(name), t, auth);
        if (opts.quiet) {
          await displayJsonMessages(body, { write: () => true } as never);
          await writeOut(ctx.out, `${name}:${t}\n`);
        } else {
          await displayJsonMessages(body, ctx.out);
        }
      }
    },
  };
}
