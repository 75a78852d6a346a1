// ArchiveService: docker save and docker load (save.ts, load.ts) behind /images/get,
// /images/{name}/get and /images/load. Shares the image, layer and content stores; owns
// the journals of loads in flight (<data-root>/image/loading/).
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../lib/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { ContentStore } from '../storage/content/index.ts';
import type { ProgressSink } from '../distribution/index.ts';
import type { EventBus } from '../events/index.ts';
import type { ImageStore } from './image-store.ts';
import { loadImages, recoverLoads, type LoadDeps } from './load.ts';
import { saveImages } from './save.ts';

export class ArchiveService {
  readonly #load: LoadDeps;

  constructor(dataRoot: string, private readonly store: ImageStore, private readonly layers: LayerStore, private readonly content: ContentStore,
    events: EventBus, log: Logger) {
    this.#load = { store, layers, events, log, journalDir: join(dataRoot, 'image', 'loading'), inFlight: new Set() };
  }

  /** Undoes loads a crash interrupted (call after the image and layer stores are up). */
  async init(): Promise<void> {
    await recoverLoads(this.#load);
  }

  /** Layers registered by loads whose images are not written yet (layer gc keeps them). */
  layersInUse(): string[] {
    return [...this.#load.inFlight];
  }

  save(names: readonly string[]): Promise<Readable> {
    return saveImages({ store: this.store, layers: this.layers, content: this.content }, names);
  }

  load(input: Readable, quiet: boolean, progress: ProgressSink, signal?: AbortSignal): Promise<string[]> {
    return loadImages(this.#load, input, quiet, progress, signal);
  }
}
