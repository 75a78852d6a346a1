// berth login [SERVER] / berth logout [SERVER]: POST /auth checks the credentials with the
// registry, then they are kept in the docker config (or its credential helper).
import { eraseCredentials, normalizeServer, storeCredentials, HUB_KEY } from '../../docker-config.ts';
import { StatusError } from '../../status-error.ts';
import { writeOut } from '../../write-out.ts';
import type { VerbSpec } from '../../verb.ts';

interface LoginOptions { username?: string; password?: string; passwordStdin?: boolean }

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = '';
  for await (const c of stream) s += c.toString();
  return s;
}

export function loginVerb(): VerbSpec<LoginOptions> {
  return {
    name: 'login',
    usage: '[OPTIONS] [SERVER]',
    description: 'Authenticate to a registry',
    args: { max: 1 },
    options: (cmd) => cmd
      .option('-u, --username <string>', 'Username')
      .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
      .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
    action: async ({ ctx, args, opts, client }) => {
      let password = opts.password ?? '';
      if (opts.passwordStdin) {
        if (opts.password) throw new StatusError(1, '--password and --password-stdin are mutually exclusive');
        if (!opts.username) throw new StatusError(1, 'Must provide --username with --password-stdin');
        password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
      } else if (opts.password) {
        await writeOut(ctx.err, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      }
      if (!opts.username || !password) throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
      const server = normalizeServer(args[0]);
      const res = await client().images.login({ username: opts.username, password, serveraddress: server === HUB_KEY ? HUB_KEY : server });
      storeCredentials(ctx.env, { username: opts.username, password, serveraddress: server });
      await writeOut(ctx.out, `${res.Status || 'Login Succeeded'}\n`);
    },
  };
}

export function logoutVerb(): VerbSpec<Record<string, never>> {
  return {
    name: 'logout',
    usage: '[SERVER]',
    description: 'Log out from a registry',
    args: { max: 1 },
    action: async ({ ctx, args }) => {
      const server = normalizeServer(args[0]);
      if (!eraseCredentials(ctx.env, server)) await writeOut(ctx.out, `Not logged in to ${server === HUB_KEY ? 'https://index.docker.io/v1/' : server}\n`);
      else await writeOut(ctx.out, `Removing login credentials for ${server === HUB_KEY ? 'https://index.docker.io/v1/' : server}\n`);
    },
  };
}
