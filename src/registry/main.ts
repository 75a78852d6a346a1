// The registry's own command line (bin/berth-registry.ts; `berth registry …` execs it):
//   serve --addr HOST:PORT --root DIR [--htpasswd FILE] [--read-only] [--no-delete] [--tls-cert F --tls-key F]
//   gc --root DIR [--dry-run] [--delete-untagged] [--grace SECONDS]
//   htpasswd USER PASSWORD          prints a bcrypt htpasswd line
import { parseArgs } from 'node:util';
import type { Logger } from '../lib/index.ts';
import { RegistryServer } from './server.ts';
import { garbageCollect } from './gc.ts';
import { bcryptHash } from './htpasswd.ts';

const USAGE = `Usage:  berth registry COMMAND

Commands:
  serve     Serve the OCI distribution API from a directory
  gc        Delete blobs no manifest references
  htpasswd  Print an htpasswd line (bcrypt) for a user

serve options:
  --addr HOST:PORT     listen address (default 127.0.0.1:5000)
  --root DIR           storage directory (default /var/lib/berth-registry)
  --htpasswd FILE      require Basic auth with these users (bcrypt)
  --read-only          refuse every write
  --no-delete          refuse DELETE of manifests and blobs
  --token              token auth: Bearer tokens issued at /token to --htpasswd users
  --tls-cert FILE, --tls-key FILE   serve HTTPS
gc options:
  --root DIR, --dry-run, --delete-untagged, --grace SECONDS (default 600)
`;

function stderrLogger(): Logger {
  const line = (level: string) => (obj: object, msg?: string): void => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...(obj as Record<string, unknown>), ...('err' in obj ? { err: String((obj as { err: unknown }).err) } : {}) })}\n`);
  };
  const l: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), child: () => l };
  return l;
}

export async function registryMain(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { process.stdout.write(USAGE); return 0; }
  try {
    if (cmd === 'serve') {
      const { values } = parseArgs({ args: rest, options: {
        'addr': { type: 'string', default: '127.0.0.1:5000' }, 'root': { type: 'string', default: '/var/lib/berth-registry' },
        'htpasswd': { type: 'string' }, 'read-only': { type: 'boolean' }, 'no-delete': { type: 'boolean' },
        'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'token': { type: 'boolean' },
      } });
      const log = stderrLogger();
      const server = new RegistryServer({
        root: values.root!, htpasswd: values.htpasswd, readOnly: values['read-only'] ?? false, deleteEnabled: !values['no-delete'],
        tlsCert: values['tls-cert'], tlsKey: values['tls-key'], token: values.token ?? false,
      }, log);
      const a = await server.listen(values.addr!);
      log.info({ addr: `${a.host}:${a.port}`, root: values.root }, 'berth registry listening');
      await new Promise<void>((resolve) => {
        const stop = (): void => { void server.close().then(resolve); };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      return 0;
    }
    if (cmd === 'gc') {
      const { values } = parseArgs({ args: rest, options: {
        'root': { type: 'string', default: '/var/lib/berth-registry' }, 'dry-run': { type: 'boolean' },
        'delete-untagged': { type: 'boolean' }, 'grace': { type: 'string', default: '600' },
      } });
      const r = await garbageCollect(values.root!, { dryRun: values['dry-run'] ?? false, deleteUntagged: values['delete-untagged'] ?? false, graceMs: Number(values.grace) * 1000 });
      for (const d of r.deleted) process.stdout.write(`${values['dry-run'] ? 'would delete' : 'deleted'} ${d}\n`);
      process.stdout.write(`${r.marked} blobs marked, ${r.deleted.length} blobs ${values['dry-run'] ? 'eligible for deletion' : 'deleted'}, ${r.freedBytes} bytes\n`);
      return 0;
    }
    if (cmd === 'htpasswd') {
      const [user, password] = rest;
      if (!user || password === undefined) throw new Error('usage: berth registry htpasswd USER PASSWORD');
      process.stdout.write(`${user}:${bcryptHash(password)}\n`);
      return 0;
    }
    process.stderr.write(`berth registry: unknown command: ${cmd}\n\n${USAGE}`);
    return 1;
  } catch (err) {
    process.stderr.write(`berth registry: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
