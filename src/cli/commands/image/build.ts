// berth build [OPTIONS] PATH: the context directory as a tar (build-context.ts) streamed to
// POST /build, the JSON messages shown as docker's classic builder shows them. -q prints
// only the image id; --iidfile writes it; a failing RUN exits with its code.
import { readFile, writeFile } from 'node:fs/promises';
import { displayJsonMessages, JsonMessageError } from '../../streams/json-messages.ts';
import { StatusError } from '../../status-error.ts';
import { listOption, type VerbSpec } from '../../verb.ts';
import { contextTar } from './build-context.ts';
import { checkSshSockets, newSessionId, parseSshSpecs, serveSshSession } from './build-ssh.ts';

interface BuildOptions {
  tag: string[]; file?: string; buildArg: string[]; label: string[]; target?: string; cache: boolean; pull?: boolean;
  rm: boolean; forceRm?: boolean; quiet?: boolean; iidfile?: string; network?: string; addHost: string[]; cacheFrom: string[];
  platform?: string; secret: string[]; ssh: string[];
}

/** The largest secret accepted (BuildKit's limit). */
const MAX_SECRET = 500 * 1024;

/**
 * --secret id=x[,src=path|,env=VAR][,type=file|env] (buildx's syntax) -> the id and its bytes.
 * Without src/env the environment variable named like the id is used, else a file of that name.
 */
export async function readSecret(spec: string, env: Readonly<Record<string, string | undefined>>): Promise<{ id: string; content: Buffer }> {
  const f: Record<string, string> = {};
  for (const field of spec.split(',')) {
    const i = field.indexOf('=');
    if (i < 0) throw new StatusError(125, `invalid secret ${JSON.stringify(spec)}: field ${JSON.stringify(field)} must be a key=value pair`);
    const k = field.slice(0, i).toLowerCase();
    const v = field.slice(i + 1);
    if (k === 'source') f.src = v;
    else if (['id', 'src', 'env', 'type'].includes(k)) f[k] = v;
    else throw new StatusError(125, `invalid secret ${JSON.stringify(spec)}: unexpected key '${k}' in '${field}'`);
  }
  const id = f.id;
  if (!id) throw new StatusError(125, `invalid secret ${JSON.stringify(spec)}: secret ID missing`);
  let content: Buffer;
  const type = f.type ?? (f.src !== undefined ? 'file' : f.env !== undefined || env[id] !== undefined ? 'env' : 'file');
  if (type === 'env') {
    const v = env[f.env ?? id];
    if (v === undefined) throw new StatusError(125, `secret ${id}: environment variable ${f.env ?? id} is not set`);
    content = Buffer.from(v);
  } else if (type === 'file') {
    const path = f.src ?? id;
    try { content = await readFile(path); } catch (err) { throw new StatusError(125, `secret ${id}: ${(err as Error).message}`); }
  } else throw new StatusError(125, `invalid secret ${JSON.stringify(spec)}: unsupported type ${JSON.stringify(type)}`);
  if (content.length > MAX_SECRET) throw new StatusError(125, `secret ${id}: larger than ${MAX_SECRET} bytes`);
  return { id, content };
}

/** KEY=VALUE list -> object; a bare KEY takes its value from the environment (docker/cli). */
export function keyValues(list: readonly string[], env: Readonly<Record<string, string | undefined>>, bareFromEnv: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) out[kv] = bareFromEnv ? (env[kv] ?? null) : '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function buildVerb(): VerbSpec<BuildOptions> {
  return {
    name: 'build',
    usage: '[OPTIONS] PATH',
    description: 'Build an image from a Dockerfile',
    args: { min: 1, max: 1 },
    options: (cmd) => cmd
      .addOption(listOption('-t, --tag <list>', 'Name and optionally a tag in the "name:tag" format'))
      .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
      .addOption(listOption('--build-arg <list>', 'Set build-time variables'))
      .addOption(listOption('--label <list>', 'Set metadata for an image'))
      .option('--target <string>', 'Set the target build stage to build.')
      .option('--no-cache', 'Do not use cache when building the image')
      .option('--pull', 'Always attempt to pull a newer version of the image')
      .option('--rm', 'Remove intermediate containers after a successful build', true)
      .option('--force-rm', 'Always remove intermediate containers')
      .option('-q, --quiet', 'Suppress the build output and print image ID on success')
      .option('--iidfile <string>', 'Write the image ID to the file')
      .option('--network <string>', 'Set the networking mode for the RUN instructions during build')
      .addOption(listOption('--add-host <list>', 'Add a custom host-to-IP mapping ("host:ip")'))
      .addOption(listOption('--cache-from <list>', 'Images to consider as cache sources'))
      .option('--platform <string>', 'Set platform if server is multi-platform capable')
      .addOption(listOption('--secret <list>', 'Secret to expose to RUN --mount=type=secret ("id=mysecret[,src=/local/secret|,env=VAR]")'))
      .addOption(listOption('--ssh <list>', 'SSH agent socket to expose to RUN --mount=type=ssh ("default|<id>[=<socket>]")')),
    action: async ({ ctx, args, opts, client }) => {
      const secrets = await Promise.all(opts.secret.map((s) => readSecret(s, process.env)));
      const ssh = parseSshSpecs(opts.ssh, process.env);
      await checkSshSockets(ssh);
      const ids = new Set<string>();
      for (const s of secrets) { if (ids.has(s.id)) throw new StatusError(125, `secret ${s.id}: given twice`); ids.add(s.id); }
      // The secrets travel as the context's .berth-secrets/<i> files; berthd takes them out of
      // the context before the build reads it (see the builder's SECRETS_SIDECAR).
      const tar = await contextTar(args[0]!, opts.file, secrets.map((s, i) => ({ name: `.berth-secrets/${i}`, content: s.content, mode: 0o600 })));
      // --ssh: a session with berthd carries the agent connections while the build runs.
      const sessionId = ssh.length ? newSessionId() : '';
      const session = ssh.length ? serveSshSession(await client().images.buildSession(sessionId, ssh.map((s) => s.id)), ssh) : null;
      try {
        const body = await client().images.build(tar.stream, {
          tags: opts.tag, dockerfile: tar.dockerfile,
          buildArgs: keyValues(opts.buildArg, process.env, true),
          labels: keyValues(opts.label, process.env, false) as Record<string, string>,
          noCache: !opts.cache, rm: opts.rm, extraHosts: opts.addHost, cacheFrom: opts.cacheFrom,
          ...(opts.target ? { target: opts.target } : {}), ...(opts.pull ? { pull: true } : {}),
          ...(opts.forceRm ? { forceRm: true } : {}), ...(opts.quiet ? { quiet: true } : {}),
          ...(opts.network ? { networkMode: opts.network } : {}), ...(opts.platform ? { platform: opts.platform } : {}),
          ...(secrets.length ? { secrets: secrets.map((s) => s.id) } : {}),
          ...(ssh.length ? { ssh: ssh.map((s) => s.id), session: sessionId } : {}),
        });
        let id = '';
        try {
          await displayJsonMessages(body, ctx.out, (aux) => {
            const a = aux as { ID?: string };
            if (typeof a?.ID === 'string') id = a.ID;
          });
        } catch (err) {
          if (err instanceof JsonMessageError) throw new StatusError(err.code ?? 1, err.message);
          throw err;
        }
        if (opts.iidfile) {
          if (!id) throw new StatusError(1, `Server did not provide an image ID. Cannot write ${opts.iidfile}`);
          await writeFile(opts.iidfile, id);
        }
      } finally {
        session?.close();
      }
    },
  };
}
