// berth pull [OPTIONS] NAME[:TAG|@DIGEST]: POST /images/create?fromImage=&tag= with the
// registry's credentials from the docker config as X-Registry-Auth; progress drawn as docker
// draws it; -q prints only the reference; -a pulls every tag.
import { splitReference } from '../../../oci/index.ts';
import { familiarName, normalizedName } from '../../format/image-ref.ts';
import { displayJsonMessages } from '../../streams/json-messages.ts';
import { encodeRegistryAuth, getCredentials, registryKeyOf } from '../../docker-config.ts';
import { writeOut } from '../../write-out.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';

interface PullOptions { allTags?: boolean; quiet?: boolean; platform?: string }

export function pullVerb(): VerbSpec<PullOptions> {
  return {
    name: 'pull',
    usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
    description: 'Download an image from a registry',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .option('-a, --all-tags', 'Download all tagged images in the repository')
      .option('-q, --quiet', 'Suppress verbose output')
      .option('--platform <string>', 'Set platform if server is multi-platform capable'),
    action: async ({ ctx, args, opts, client }) => {
      const { name, tag, digest } = splitReference(args[0]!);
      if (opts.allTags && (tag !== null || digest !== null)) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
      const ref = opts.allTags ? '' : digest ?? tag ?? 'latest';
      if (!opts.allTags && tag === null && digest === null) await writeOut(ctx.out, 'Using default tag: latest\n');
      const auth = encodeRegistryAuth(getCredentials(ctx.env, registryKeyOf(name)));
      const body = await client().images.pull(normalizedName(name), ref, { ...(opts.platform ? { platform: opts.platform } : {}), registryAuth: auth });
      if (opts.quiet) {
        await displayJsonMessages(body, { write: () => true } as never);
        await writeOut(ctx.out, `${familiarName(name)}${digest ? `@${digest}` : `:${tag ?? 'latest'}`}\n`);
        return;
      }
      await displayJsonMessages(body, ctx.out);
      if (!opts.allTags) {
        const full = normalizedName(name);
        await writeOut(ctx.out, `${full.startsWith('docker.io/') ? full : familiarName(name)}${digest ? `@${digest}` : `:${tag ?? 'latest'}`}\n`);
      }
    },
  };
}
