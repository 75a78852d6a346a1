// docker commit (POST /commit): a container's changes become a new image. While the
// container is paused its upper dir is copied (cp -a keeps overlay whiteouts and opaque
// xattrs) and, at the same time, diffed into the layer's tar (diffID), both leaving out the
// runtime's mount points; the copy is registered as a layer on the image's chain through
// the same path as build steps (LayerStore.registerDir); the image config is the image's,
// with the container's runtime config, the request's config and --change lines on top.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execTool, InvalidArgumentError, newId } from '../lib/index.ts';
import type { ImageConfig, ImageRuntimeConfig } from '../oci/index.ts';
import type { DirDiff, LayerStore } from '../layer/index.ts';
import { applyChanges, type ImageService } from '../image/index.ts';
import { removeRunArtifacts, runArtifacts } from './run-artifacts.ts';

/** What commit needs to know about the container (daemon/wire.ts fills it from the container service). */
export interface CommitSource {
  id: string;
  /** The image id the container was created from. */
  imageId: string;
  /** The container's runtime config (Cmd, Env, …). */
  config: ImageRuntimeConfig;
  /** Path and args, for the history line. */
  createdBy: string;
  running: boolean;
  pause(): Promise<void>;
  unpause(): Promise<void>;
}

export interface CommitOptions {
  reference?: string | undefined;
  comment?: string | undefined;
  author?: string | undefined;
  changes: string[];
  pause: boolean;
  /** Config fields from the request body; they override the container's. */
  config?: ImageRuntimeConfig | undefined;
}

export interface CommitDeps {
  layers: LayerStore;
  images: ImageService;
  /** Resolves an image or build step image by id. */
  resolveImage(id: string): { config: ImageConfig; topChainId: string | null };
  tmpDir: string;
}

const RUNTIME_KEYS: (keyof ImageRuntimeConfig)[] = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell'];

function pick(c: ImageRuntimeConfig | undefined): ImageRuntimeConfig {
  const out: Record<string, unknown> = {};
  for (const k of RUNTIME_KEYS) if (c?.[k] !== undefined) out[k] = c[k];
  return out as ImageRuntimeConfig;
}

export async function commitContainer(d: CommitDeps, src: CommitSource, o: CommitOptions): Promise<string> {
  const base = d.resolveImage(src.imageId);
  const tmp = join(d.tmpDir, `commit-${newId()}`);
  await mkdir(tmp, { recursive: true });
  const lease = d.layers.lease();
  try {
    const paused = src.running && o.pause;
    if (paused) await src.pause();
    let diffed: DirDiff | null = null;
    let artifacts: string[];
    try {
      // The changes are copied (cp, another process) and diffed (here) at once, both from
      // the container's upper dir while it is paused (or stopped): the diff gives the layer's
      // tar and diffID, the copy becomes the layer's files. A running container that is not
      // paused may change its files meanwhile: then the copy is diffed, after it is made.
      const still = !src.running || paused;
      const upper = await d.layers.upperDir(src.id);
      try {
        artifacts = await runArtifacts(upper);
        const [res, diff] = await Promise.allSettled([
          execTool('cp', ['-a', `${upper}/.`, `${tmp}/`], { allowFailure: true }),
          still ? d.layers.diffDir(upper, new Set(artifacts)) : Promise.resolve(null),
        ]);
        if (diff.status === 'fulfilled') diffed = diff.value;
        if (res.status === 'rejected') throw res.reason;
        if (res.value.code !== 0) throw new InvalidArgumentError(`commit failed: copying the container's changes: ${res.value.stderr.trim()}`);
        if (diff.status === 'rejected') throw diff.reason;
      } finally {
        await d.layers.releaseUpperDir(src.id);
      }
    } catch (err) {
      if (diffed) await d.layers.discardDiff(diffed);
      throw err;
    } finally {
      if (paused) await src.unpause().catch(() => undefined);
    }
    await removeRunArtifacts(tmp, artifacts).catch(async (err: unknown) => {
      if (diffed) await d.layers.discardDiff(diffed);
      throw err;
    });
    const layer = await d.layers.registerDir(base.topChainId, tmp, diffed ?? undefined);
    const runtime = applyChanges({ ...pick(base.config.config), ...pick(src.config), ...pick(o.config) }, o.changes);
    const created = new Date().toISOString();
    const config: ImageConfig = {
      ...JSON.parse(JSON.stringify(base.config)) as ImageConfig,
      config: runtime,
      created,
      rootfs: { type: 'layers', diff_ids: [...base.config.rootfs.diff_ids, layer.diffId] },
      history: [...(base.config.history ?? []), {
        created, created_by: src.createdBy,
        ...(o.author ? { author: o.author } : {}), ...(o.comment ? { comment: o.comment } : {}),
      }],
    };
    if (o.author) config.author = o.author; else delete config.author;
    if (o.comment) config.comment = o.comment; else delete config.comment;
    // The base image is the new one's parent (Docker's commit), when it is a stored image.
    const rec = await d.images.store.put(config, d.images.store.get(src.imageId) ? src.imageId : '');
    if (o.reference) await d.images.tag(rec.id, o.reference);
    return rec.id;
  } finally {
    lease.release();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
