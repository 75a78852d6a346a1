// docker's createContainer (container/create.go): POST /containers/create, and when the
// image is not there and --pull=missing, "Unable to find image 'x:latest' locally", a pull,
// and a second try. Warnings from the daemon go to stderr.
import { kindOf, messageOf } from '../../../lib/index.ts';
import type { ContainerCreateRequest } from '../../../api/types/index.ts';
import type { EngineApi } from '../../../client/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { splitReference } from '../../../oci/index.ts';
import { familiarName, normalizedName } from '../../format/image-ref.ts';
import { displayJsonMessages } from '../../streams/json-messages.ts';
import { writeOut } from '../../write-out.ts';

export interface CreateFlowOptions {
  name?: string;
  platform?: string;
  pull: string;
  quiet: boolean;
}

/** reference.TagNameOnly + FamiliarString: "busybox" → "busybox:latest"; ids stay as they are. */
export function imageRefForPull(image: string): { repo: string; tag: string } | null {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return null;
  const { name, tag, digest } = splitReference(image);
  if (digest !== null) return { repo: familiarName(name), tag: digest };
  return { repo: familiarName(name), tag: tag ?? 'latest' };
}

async function pullImage(ctx: CliContext, api: EngineApi, image: string, opts: CreateFlowOptions): Promise<void> {
  const ref = imageRefForPull(image);
  if (ref === null) return;
  const body = await api.images.pull(normalizedName(ref.repo), ref.tag, opts.platform ? { platform: opts.platform } : {});
  const sink = opts.quiet ? null : ctx.err;
  if (sink) await displayJsonMessages(body, sink);
  else for await (const chunk of body) void chunk;
}

export async function createContainer(
  ctx: CliContext, api: EngineApi, body: ContainerCreateRequest, opts: CreateFlowOptions,
): Promise<string> {
  const image = body.Image ?? '';
  const ref = imageRefForPull(image);
  const createOpts = { ...(opts.name ? { name: opts.name } : {}), ...(opts.platform ? { platform: opts.platform } : {}) };
  if (opts.pull === 'always') await pullImage(ctx, api, image, opts);
  let res;
  try {
    res = await api.containers.create(body, createOpts);
  } catch (e) {
    if (kindOf(e) !== 'not-found' || ref === null || opts.pull !== 'missing' || !/No such image/i.test(messageOf(e))) throw e;
    if (!opts.quiet) {
      const shown = ref.tag.includes(':') ? `${ref.repo}@${ref.tag}` : `${ref.repo}:${ref.tag}`;
      await writeOut(ctx.err, `Unable to find image '${shown}' locally\n`);
    }
    await pullImage(ctx, api, image, opts);
    res = await api.containers.create(body, createOpts);
  }
  for (const w of res.Warnings ?? []) await writeOut(ctx.err, `WARNING: ${w}\n`);
  return res.Id;
}
