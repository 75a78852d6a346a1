// DistributionService: pull and push behind /images/create?fromImage= and
// /images/{name}/push. It shares the image store and layer store with ImageService and owns
// nothing else but the content store of kept layer blobs. Pulls of the same reference run
// one at a time (a second waits and then finds the layers there).
import type { Readable } from 'node:stream';
import { KeyedMutex, InvalidArgumentError, InternalError, kindOf, type Logger } from '../lib/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { ContentStore } from '../storage/content/index.ts';
import { decodeRegistryAuth, parseRemoteReference, type ProgressSink, type RegistryConfig } from '../distribution/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageStore, ImageRecord } from './image-store.ts';
import { clientFor, pullImage, type DistributionDeps } from './pull.ts';
import { pushImage } from './push.ts';
import { inspectDistribution, login } from './login.ts';
import type { AuthConfig } from '../distribution/index.ts';

export interface PullRequest { fromImage: string; tag?: string; platform?: string; registryAuth?: string; signal?: AbortSignal }

export class DistributionService {
  readonly #deps: DistributionDeps;
  readonly #lock = new KeyedMutex();
  /** Pulls and imports in flight: their blobs are kept before their image exists, so gc waits. */
  #active = 0;

  constructor(store: ImageStore, layers: LayerStore, content: ContentStore, registries: RegistryConfig, events: EventBus, log: Logger) {
    this.#deps = { store, layers, content, registries, events, log };
  }

  async init(): Promise<void> {
    await this.#deps.content.init();
  }

  /** The reference a pull request names: fromImage plus tag (a tag may be a digest). null tag = all tags. */
  static referenceOf(fromImage: string, tag: string | undefined): { ref: string; allTags: boolean } {
    if (tag) return { ref: tag.includes(':') && /^[a-z0-9]+:[0-9a-f]{32,}$/.test(tag) ? `${fromImage}@${tag}` : `${fromImage}:${tag}`, allTags: false };
    let r;
    try { r = parseRemoteReference(fromImage); } catch (err) { throw new InvalidArgumentError(`invalid reference format: ${fromImage}`, { cause: err }); }
    return { ref: fromImage, allTags: r.tag === null && r.digest === null };
  }

  async pull(req: PullRequest, progress: ProgressSink): Promise<ImageRecord | null> {
    this.#active++;
    const lease = this.#deps.layers.lease();
    try {
      return await this.#pull(req, progress).catch((err: unknown) => { throw registryAuthFailure(err); });
    } finally {
      lease.release();
      this.#active--;
    }
  }

  async #pull(req: PullRequest, progress: ProgressSink): Promise<ImageRecord | null> {
    const { ref, allTags } = DistributionService.referenceOf(req.fromImage, req.tag);
    const auth = decodeRegistryAuth(req.registryAuth);
    if (!allTags) {
      return this.#lock.run(ref, () => pullImage(this.#deps, ref, { platform: req.platform, auth, signal: req.signal }, progress));
    }
    const r = parseRemoteReference(ref);
    const client = clientFor(this.#deps, r, auth, 'pull');
    const res = await client.send('GET', `/v2/${r.path}/tags/list`);
    const doc = await res.body.json().catch(() => ({})) as { tags?: string[] };
    if (res.statusCode !== 200) throw new InvalidArgumentError(`could not list the tags of ${r.familiar}: HTTP ${res.statusCode}`);
    let last: ImageRecord | null = null;
    for (const t of (doc.tags ?? []).sort()) {
      last = await this.#lock.run(`${ref}:${t}`, () => pullImage(this.#deps, `${ref}:${t}`, { platform: req.platform, auth, signal: req.signal }, progress));
    }
    return last;
  }

  async push(name: string, tag: string | undefined, registryAuth: string | undefined, progress: ProgressSink): Promise<void> {
    const auth = decodeRegistryAuth(registryAuth);
    let tags: (string | undefined)[] = [tag];
    if (!tag) {
      // No tag at all: every local tag of the repository (dockerd's push with an empty tag, `push -a`).
      let r;
      try { r = parseRemoteReference(name); } catch (err) { throw new InvalidArgumentError(`invalid reference format: ${name}`, { cause: err }); }
      if (r.tag === null && r.digest === null) {
        const prefix = `${r.familiar}:`;
        const all = this.#deps.store.all().flatMap((i) => this.#deps.store.tagsOf(i.id)).filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length)).sort();
        if (all.length > 0) tags = all;
      }
    }
    for (const t of tags) {
      await pushImage(this.#deps, name, t, { auth }, progress).catch((err: unknown) => { throw registryAuthFailure(err); });
    }
  }

  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
    return login(this.#deps, auth);
  }

  inspectDistribution(name: string, registryAuth: string | undefined): Promise<unknown> {
    return inspectDistribution(this.#deps, name, decodeRegistryAuth(registryAuth));
  }

  /** Drops kept layer blobs no image needs any more (after an image removal). */
  async gcContent(): Promise<void> {
    if (this.#active > 0) return;
    const inUse = new Set(this.#deps.store.all().flatMap((r) => r.config.rootfs?.diff_ids ?? []));
    await this.#deps.content.gcLayers(inUse);
  }
}

/**
 * A registry's 401 must not reach the docker CLI as a 401: the CLI would take it for the
 * daemon asking for credentials and prompt. dockerd answers these with a 500 too.
 */
function registryAuthFailure(err: unknown): unknown {
  if (kindOf(err) !== 'unauthorized') return err;
  return new InternalError((err as Error).message, { cause: err });
}
