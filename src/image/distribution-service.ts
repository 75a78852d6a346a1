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
import { importKeepingTar, pushImage } from './push.ts';
import { inspectDistribution, login } from './login.ts';
import type { AuthConfig } from '../distribution/index.ts';

export interface PullRequest { fromImage: string; tag?: string; platform?: string; registryAuth?: string; signal?: AbortSignal }

export class DistributionService {
  readonly #deps: DistributionDeps;
  readonly #lock = new KeyedMutex();

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
    return this.#pull(req, progress).catch((err: unknown) => { throw registryAuthFailure(err); });
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
    await pushImage(this.#deps, name, tag, { auth: decodeRegistryAuth(registryAuth) }, progress)
      .catch((err: unknown) => { throw registryAuthFailure(err); });
  }

  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken?: string }> {
    return login(this.#deps, auth);
  }

  inspectDistribution(name: string, registryAuth: string | undefined): Promise<unknown> {
    return inspectDistribution(this.#deps, name, decodeRegistryAuth(registryAuth));
  }

  /** Wraps an import so the layer's tar is kept for a later push. */
  importKeeping<T extends { config: { rootfs: { diff_ids: string[] } } }>(input: Readable, apply: (s: Readable) => Promise<T>): Promise<T> {
    return importKeepingTar(this.#deps, input, apply);
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
