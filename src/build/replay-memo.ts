// The replay memo: a build whose context (the tar's bytes, so the Dockerfile, .dockerignore
// and every file) and options were seen before ends where that build ended, as long as what it
// depended on outside the context is unchanged: the images it named resolve to the same ids,
// and every cache record it used (or made) still names the same step image. Then the builder
// answers without extracting the context or walking the steps (the fully cached rebuild of an
// edit-build loop): the result is the image a cached rebuild would produce, by construction,
// because each recorded cache record is exactly what that rebuild would look up.
//
// Never used for --no-cache or --pull builds, builds with secrets or ssh (their sidecar is in
// the context), nor recorded for builds that fetched something (ADD <url>, a pull). Kept in
// memory only (a restart starts empty); cleared by `builder prune`.
import { createHash } from 'node:crypto';
import type { BuildMessage, BuildRequest } from '../api/types/index.ts';

/** An image reference the build resolved by name, and what it resolved to (null: not found). */
export interface MemoDep { ref: string; id: string | null; via: 'images' | 'store' }

export interface MemoEntry {
  deps: MemoDep[];
  /** Cache key -> step image id, for every step. */
  keys: [string, string][];
  /** The last step's image (the config the final image is made from). */
  stepId: string;
  /**
   * What the build said before its final lines ("Successfully built…"), when every step was a
   * cache hit: a non-quiet replay says exactly that. Null: only quiet builds replay.
   */
  transcript: BuildMessage[] | null;
}

/** What one build records while it runs (shared by its stages). */
export interface MemoRecorder {
  deps: MemoDep[];
  keys: [string, string][];
  /** False once the build did something a replay could not stand for (a fetch, a pull). */
  ok: boolean;
  /** False once a step was not a cache hit. */
  allHits: boolean;
}

export function newRecorder(): MemoRecorder {
  return { deps: [], keys: [], ok: true, allHits: true };
}

/** Whether a build with these options may use or make a memo entry. */
export function memoEligible(o: BuildRequest): boolean {
  return !o.pull && !(o.secrets?.length) && !(o.ssh?.length);
}

/** The memo key: the context digest and every option that can change the result. */
export function memoKey(contextDigest: string, o: BuildRequest): string {
  const { tags: _t, quiet: _q, noCache: _n, registryConfig: _r, ...rest } = o;
  const stable = Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]);
  return createHash('sha256').update(contextDigest).update('\0').update(JSON.stringify(stable)).digest('hex');
}

export interface MemoLookups {
  /** The image id a reference resolves to now (null: not found). */
  resolve(ref: string, via: MemoDep['via']): string | null;
  /** The step image a cache key names now. */
  cacheGet(key: string): string | undefined;
  /** Whether the step image is still known. */
  hasStep(id: string): boolean;
}

/** An entry is valid while every dependency and cache record is unchanged. */
export function memoValid(e: MemoEntry, l: MemoLookups): boolean {
  if (!l.hasStep(e.stepId)) return false;
  for (const d of e.deps) if (l.resolve(d.ref, d.via) !== d.id) return false;
  for (const [k, id] of e.keys) if (l.cacheGet(k) !== id) return false;
  return true;
}

/** A small LRU of entries. */
export class ReplayMemo {
  readonly #entries = new Map<string, MemoEntry>();
  constructor(private readonly max = 256) {}

  get(key: string): MemoEntry | undefined {
    const e = this.#entries.get(key);
    if (e) { this.#entries.delete(key); this.#entries.set(key, e); }
    return e;
  }

  set(key: string, e: MemoEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, e);
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
