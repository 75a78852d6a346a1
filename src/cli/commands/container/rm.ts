// berth rm: DELETE /containers/{id}?force=&v=&link=. With -f a missing container is
// reported on stderr but does not fail the command (docker 28).
import { kindOf } from '../../../lib/index.ts';
import type { VerbSpec } from '../../verb.ts';
import { eachContainer } from '../each-container.ts';

interface RmOptions { force?: boolean; volumes?: boolean; link?: boolean }

export function rmVerb(): VerbSpec<RmOptions> {
  return {
    name: 'rm',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Remove one or more containers',
    args: { min: 1 },
    options: (cmd) => cmd
      .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
      .option('-l, --link', 'Remove the specified link')
      .option('-v, --volumes', 'Remove anonymous volumes associated with the container'),
    action: async ({ ctx, args, opts, client }) => {
      await eachContainer(ctx, args, async (name) => {
        const id = name.replace(/^\/+|\/+$/g, '');
        if (id === '') throw new Error('Container name cannot be empty');
        await client().containers.remove(id, { force: opts.force === true, volumes: opts.volumes === true, link: opts.link === true });
      }, { tolerate: (e) => opts.force === true && kindOf(e) === 'not-found' });
    },
  };
}
