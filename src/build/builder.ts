// The build engine behind POST /build (Docker's classic builder, moby builder/dockerfile):
// the context is streamed into a temp dir, the Dockerfile parsed, the stages the target
// needs are built in order, each instruction becomes a step image (config + history, a
// layer for RUN/COPY/ADD), and every step is looked up in the content-addressed cache first
// (cache-key: parent image id + the instruction as run + for COPY/ADD the sources' content
// hash, for RUN --mount the mounts), then in the --cache-from images' history (cache-from.ts).
// RUN --mount (cache, secret, bind, tmpfs) is set up by run-mounts.ts; FROM images missing or
// asked for with --pull come through the `pull` dependency. Output goes out as Docker's JSON
// messages through `emit`.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createHash } from 'node:crypto';
import { InvalidArgumentError, NotFoundError, goArch, newId, shortId, type Logger } from '../lib/index.ts';
import type { ImageConfig, ImageRuntimeConfig } from '../oci/index.ts';
import type { LayerStore } from '../layer/index.ts';
import type { ImageService } from '../image/index.ts';
import {
  DockerfileParseError, ShellLexError, RunMountError, parseGoDuration, parseOneInstruction, parseRunMount, parseStages, processWord,
  type ArgInstr, type CopyInstr, type Dockerfile, type Instruction, type RunInstr, type Stage,
} from './dockerfile/index.ts';
import { BuildArgs, runArgEnv, stageLookup } from './args.ts';
import { BuildError } from './errors.ts';
import { metaChange, nopLine, type MetaInstruction } from './instructions/meta.ts';
import { checkRunFlags, runCommand, runCreatedBy } from './instructions/run.ts';
import type { BuildBackend } from './build-backend.ts';
import type { BuildStore, StepImage } from './build-store.ts';
import { ArchiveError, cleanMemberName, extractTar, type FileDigests } from './context/extract.ts';
import { IgnoreMatcher, parseDockerignore } from '../lib/index.ts';
import type { BuildMessage, BuildRequest } from '../api/types/index.ts';
import { CopyError, copySources, downloadUrl, hashSources, matchSources, parseChmod, resolveOwner, type SourceEntry } from './copy.ts';
import { resolveInRoot, ScopeError } from './scoped-path.ts';
import { stripRunArtifacts } from './run-artifacts.ts';
import { probeCacheFrom, restoredConfig } from './cache-from.ts';
import { registryAuthFor } from './registry-config.ts';
import { CacheMounts, type CacheMountUsage, mountKeyParts, setupMounts, stripMountStubs, type MountEnv } from './run-mounts.ts';
import { MemoryBudget, readPrefix } from './context/prefix.ts';
import { BuildSessions, type SessionConn, type SshAgentSource } from './ssh-session.ts';
import { ReplayMemo, memoEligible, memoKey, memoValid, newRecorder, type MemoEntry, type MemoRecorder } from './replay-memo.ts';

/** The builder takes the /build route's options and answers in its messages (api/types/build.ts). */
export type BuildOptions = BuildRequest;
export type { BuildMessage };

export interface BuilderDeps {
  layers: LayerStore;
  images: ImageService;
  store: BuildStore;
  backend: BuildBackend;
  log: Logger;
  /**
   * Pulls an image into the image store (FROM with --pull, or an image not there yet); the
   * progress goes out as the pull's JSON messages. Absent: images must be local.
   */
  pull?: (ref: string, o: { platform?: string | undefined; registryAuth?: string | undefined; signal: AbortSignal }, progress: (m: BuildMessage) => void) => Promise<void>;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHELL = ['/bin/sh', '-c'];
const MAX_CONTEXT = 8 * 1024 ** 3;
const MAX_DOCKERFILE = 16 * 1024 ** 2;
/** Scratch directories of finished builds wait this long for a moment without builds. */
const CLEANUP_DELAY_MS = 300;
/** ... but no longer than this, nor more of them than TRASH_MAX. */
const CLEANUP_MAX_WAIT_MS = 10_000;
const TRASH_MAX = 32;
/** Contexts up to this size are read into memory first (and may be answered by the replay memo). */
const MEMO_MAX_CONTEXT = 4 * 1024 ** 2;
/** All builds' in-memory contexts together (STYLE: never an unbounded context in memory). */
const MEMO_MEMORY_TOTAL = 16 * 1024 ** 2;

const memoryBudget = new MemoryBudget(MEMO_MEMORY_TOTAL);
/** A non-quiet replay repeats at most this many messages (else only quiet builds replay). */
const MAX_TRANSCRIPT = 10_000;

interface StageState {
  stage: Stage;
  image: StepImage;
  config: ImageConfig;
  args: Map<string, string | undefined>;
  shell: string[];
  cmdSet: boolean;
}

interface Run {
  opts: BuildOptions;
  /** Sends a message; a promise means the client is slow: wait for it before sending more. */
  emit: (m: BuildMessage) => void | Promise<void>;
  signal: AbortSignal;
  dir: string;
  contextDir: string;
  ignore: IgnoreMatcher | null;
  ignoreLines: string[];
  df: Dockerfile;
  args: BuildArgs;
  results: Map<number, StepImage>;
  /** Each scheduled stage's result, for FROM <stage> and COPY --from (awaited). */
  stageDone: Map<number, Promise<StepImage>>;
  step: number;
  total: number;
  escape: string;
  /** Build secrets (RUN --mount=type=secret): id -> host file outside the context. */
  secrets: Map<string, string>;
  /** sha256 of the context's files, made while it was extracted (COPY and bind mounts hash with them). */
  digests: FileDigests;
  /** --cache-from: the configs of the local images given. */
  cacheSources: ImageConfig[];
  /** FROM images pulled in this build (a stage using one twice pulls once). */
  pulled: Map<string, Promise<void>>;
  /** What the replay memo needs to know of this build (shared by its stages). */
  memo: MemoRecorder;
  /** The client's forwarded ssh agents by id (RUN --mount=type=ssh). */
  ssh: (id: string) => SshAgentSource | null;
}

/**
 * The context-side channel for build secrets (the classic /build API has none): the client
 * puts secret i at `.berth-secrets/<i>` in the context tar and names the ids in the `secrets`
 * query parameter (a JSON list, i-th id for file i). The builder moves them out of the
 * context before reading anything else, so no COPY, bind mount or cache key ever sees them.
 */
export const SECRETS_SIDECAR = '.berth-secrets';

function configId(config: ImageConfig): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(config)).digest('hex')}`;
}

function cacheKey(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function cloneConfig(c: ImageConfig): ImageConfig {
  return JSON.parse(JSON.stringify(c)) as ImageConfig;
}

export class Builder {
  readonly #cacheMounts: CacheMounts;
  readonly #memo = new ReplayMemo();
  readonly #sessions = new BuildSessions();
  /** Builds running now. */
  #active = 0;
  /** Scratch directories of finished builds, to remove when no build runs (see #discard). */
  #trash: string[] = [];
  #trashSince = 0;
  #sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: BuilderDeps) {
    this.#cacheMounts = new CacheMounts(join(d.store.root, 'mounts', 'cache'));
  }

  /** `builder prune`: drops the cache records and step images, then layers nobody uses. */
  async prune(_all: boolean, filters: Record<string, string[]> = {}): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    let before = Infinity;
    for (const u of [...(filters.until ?? []), ...(filters['unused-for'] ?? [])]) {
      const d = parseGoDuration(u);
      const t = d !== null ? Date.now() - d / 1e6 : /^\d+(\.\d+)?$/.test(u) ? Number(u) * 1000 : Date.parse(u);
      if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid filter 'until=${u}'`);
      before = Math.min(before, t);
    }
    for (const k of Object.keys(filters)) {
      if (k !== 'until' && k !== 'unused-for' && k !== 'type') throw new InvalidArgumentError(`invalid filter '${k}'`);
    }
    // type: BuildKit's record types; the classic builder's step cache is 'regular'.
    const types = filters.type ?? [];
    for (const t of types) if (t !== 'regular' && t !== 'exec.cachemount') throw new InvalidArgumentError(`invalid filter 'type=${t}'`);
    const want = (t: string): boolean => types.length === 0 || types.includes(t);
    const keep = new Set(this.d.images.store.all().map((r) => r.id));
    this.#memo.clear();
    const sizeBefore = this.d.layers.totalSize();
    const deleted = want('regular') ? await this.d.store.prune(keep, before) : [];
    let mountBytes = 0;
    if (want('exec.cachemount')) {
      const m = await this.#cacheMounts.prune(before);
      deleted.push(...m.names);
      mountBytes = m.bytes;
    }
    await this.d.images.gcLayers();
    return { CachesDeleted: deleted, SpaceReclaimed: Math.max(0, sizeBefore - this.d.layers.totalSize()) + mountBytes };
  }

  /**
   * A client's build session (berth build --ssh): held open while its build runs, it carries
   * the connections of RUN --mount=type=ssh to the client's agents. Resolves when it closes.
   */
  session(id: string, ssh: readonly string[], conn: SessionConn): Promise<void> {
    return this.#sessions.attach(id, ssh, conn);
  }

  /** The cache mounts' records for `system df` (BuildKit's type exec.cachemount). */
  cacheMountUsage(): Promise<CacheMountUsage[]> {
    return this.#cacheMounts.usage();
  }

  /**
   * A finished build's scratch directory (its context, step scratch) is removed off the
   * answer's path, at a moment no build runs: removing a tree costs CPU that the next build
   * (often right behind, as in an edit-build loop) would otherwise share. A daemon that stops
   * or crashes first leaves it to BuildStore.init's sweep of tmp/.
   */
  #discard(dir: string): void {
    if (this.#trash.length === 0) this.#trashSince = Date.now();
    this.#trash.push(dir);
    this.#scheduleSweep();
  }

  #scheduleSweep(): void {
    if (this.#sweepTimer !== null) return;
    this.#sweepTimer = setTimeout(() => {
      this.#sweepTimer = null;
      const overdue = Date.now() - this.#trashSince > CLEANUP_MAX_WAIT_MS || this.#trash.length > TRASH_MAX;
      if (this.#active > 0 && !overdue) { this.#scheduleSweep(); return; }
      const dirs = this.#trash;
      this.#trash = [];
      for (const d of dirs) void rm(d, { recursive: true, force: true }).catch(() => undefined);
    }, CLEANUP_DELAY_MS);
    this.#sweepTimer.unref();
  }

  /** Runs one build; resolves the final image id. Errors before any output are thrown. */
  async build(context: Readable, opts: BuildOptions, emit: (m: BuildMessage) => void | Promise<void>, signal: AbortSignal): Promise<string> {
    this.#active++;
    try {
      return await this.#build(context, opts, emit, signal);
    } finally {
      this.#active--;
    }
  }

  async #build(context: Readable, opts: BuildOptions, emit: (m: BuildMessage) => void | Promise<void>, signal: AbortSignal): Promise<string> {
    const dir = join(this.d.store.tmpDir, newId());
    const t0 = performance.now();
    let tContext = 0;
    const digests: FileDigests = new Map();
    const dfName = opts.dockerfile || 'Dockerfile';
    const dfEntry = cleanMemberName(dfName) ?? '';
    const ignoreEntries = [`${dfEntry}.dockerignore`, '.dockerignore'];
    // The Dockerfile and .dockerignore are kept as they stream by: no reading them back.
    const keep = { names: new Set([dfEntry, ...ignoreEntries]), files: new Map<string, Buffer>(), seen: new Set<string>(), symlinks: false };
    // berth build --ssh: the session carrying the agents must be open before the build starts.
    const session = opts.ssh?.length ? this.#sessions.get(opts.session ?? '') : undefined;
    if (opts.ssh?.length && !session) throw new InvalidArgumentError(`build session ${JSON.stringify(opts.session ?? '')} is not open: the client must open ${'/session/build'} before POST /build to forward ssh agents`);
    const ssh = (id: string): SshAgentSource | null => (opts.ssh?.includes(id) && session && !session.closed ? session.agent(id) : null);
    let prefix;
    // Concurrent builds share one in-memory budget: past it, a context streams straight to disk
    // (no replay) so many builds at once never hold more than MEMO_MEMORY_TOTAL.
    const budget = memoryBudget.take(MEMO_MAX_CONTEXT);
    try {
      prefix = await readPrefix(context, budget);
    } catch (err) {
      memoryBudget.give(budget);
      if (signal.aborted) throw err;
      throw new InvalidArgumentError(`failed to read the build context: ${(err as Error).message}`);
    }
    // What was read is held until it is extracted (or the build is replayed); then released.
    let held = budget;
    const releaseBudget = (): void => { memoryBudget.give(held); held = 0; };
    // The replay memo: the same context and options as a build before, nothing it used changed.
    const key = prefix.digest !== null && memoEligible(opts) ? memoKey(prefix.digest, opts) : null;
    if (key !== null && !opts.noCache) {
      const hit = this.#memo.get(key);
      if (hit && (opts.quiet || hit.transcript !== null) && this.#memoValid(hit)) {
        releaseBudget();
        const id = await this.#replay(hit, opts, emit);
        this.d.log.debug({ total: +(performance.now() - t0).toFixed(1) }, 'build replayed (ms)');
        return id;
      }
      if (hit) this.#memo.delete(key);
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      releaseBudget();
      throw err;
    }
    // Layers this build registers are kept from a concurrent layer gc until their step images exist.
    const lease = this.d.layers.lease();
    try {
      const contextDir = join(dir, 'context');
      try {
        try {
          await extractTar(prefix.stream(), contextDir, { maxBytes: MAX_CONTEXT, digests, keep });
        } finally {
          releaseBudget();
        }
        tContext = performance.now() - t0;
      } catch (err) {
        if (signal.aborted) throw err;
        throw new InvalidArgumentError(`failed to read the build context (a tar archive is expected): ${(err as Error).message}`);
      }
      const secrets = await takeSecrets(contextDir, join(dir, 'secrets'), opts.secrets ?? []);
      // Without symlinks in the archive, what was kept is what is on disk (and a name not
      // kept is not there as a small regular file).
      const kept = (name: string): Buffer | undefined => (keep.symlinks ? undefined : keep.files.get(name));
      let text: string;
      const dfKept = kept(dfEntry);
      if (dfKept !== undefined) text = dfKept.toString('utf8');
      else {
        const dfPath = await resolveInRoot(contextDir, dfName);
        try {
          if ((await stat(dfPath)).size > MAX_DOCKERFILE) throw new InvalidArgumentError(`the Dockerfile (${dfName}) is larger than ${MAX_DOCKERFILE} bytes`);
          text = await readFile(dfPath, 'utf8');
        } catch (err) {
          if (err instanceof InvalidArgumentError) throw err;
          throw new InvalidArgumentError(`Cannot locate specified Dockerfile: ${dfName}`);
        }
      }
      // .dockerignore: kept, or surely absent (not in an archive without symlinks), or read.
      const ignoreKept = kept(ignoreEntries[0]!) ?? (keep.seen.has(ignoreEntries[0]!) ? undefined : kept(ignoreEntries[1]!));
      const ignoreAbsent = !keep.symlinks && !ignoreEntries.some((n) => keep.seen.has(n));
      const ignoreText = ignoreKept !== undefined ? ignoreKept.toString('utf8') : ignoreAbsent ? '' : await readFile(await resolveInRoot(contextDir, `${dfName}.dockerignore`), 'utf8')
        .catch(() => resolveInRoot(contextDir, '.dockerignore').then((p) => readFile(p, 'utf8')))
        .catch(() => '');
      const ignoreLines = parseDockerignore(ignoreText);
      let df: Dockerfile;
      try {
        df = parseStages(text);
      } catch (err) {
        if (err instanceof DockerfileParseError || err instanceof ShellLexError) throw new InvalidArgumentError(err.message);
        throw err;
      }
      if (df.stages.length === 0) throw new InvalidArgumentError(`the Dockerfile (${dfName}) cannot be empty`);
      const memo = newRecorder();
      // What is said before the final lines, for a non-quiet replay of a fully cached build.
      const transcript: BuildMessage[] | null = key !== null && !opts.quiet ? [] : null;
      // Kept only while every step is a hit (a RUN's output never piles up here).
      const say = transcript === null ? emit : (m: BuildMessage): void | Promise<void> => {
        if (memo.allHits && memo.ok && transcript.length < MAX_TRANSCRIPT) transcript.push(m); else memo.allHits = false;
        return emit(m);
      };
      const run: Run = {
        opts, emit: say, signal, dir, contextDir, df,
        ignore: ignoreLines.length ? new IgnoreMatcher(ignoreLines) : null, ignoreLines,
        args: new BuildArgs(opts.buildArgs), results: new Map(), stageDone: new Map(), step: 0, total: 0, escape: df.directives.escape, secrets,
        cacheSources: this.#cacheSources(opts.cacheFrom, memo), pulled: new Map(), digests, memo, ssh,
      };
      const tParsed = performance.now() - t0;
      const id = await this.#run(run, (stepId) => {
        if (key === null || !memo.ok) return;
        this.#memo.set(key, { deps: memo.deps, keys: memo.keys, stepId, transcript: memo.allHits && transcript !== null ? [...transcript] : null });
      });
      this.d.log.debug({ context: +tContext.toFixed(1), parsed: +tParsed.toFixed(1), total: +(performance.now() - t0).toFixed(1), steps: run.total }, 'build done (ms)');
      return id;
    } finally {
      lease.release();
      // Secrets go at once (before the answer); the rest may wait.
      if (opts.secrets?.length) await rm(join(dir, 'secrets'), { recursive: true, force: true }).catch(() => undefined);
      this.#discard(dir);
    }
  }

  /** --cache-from images that exist locally (moby skips the others with a warning in its log). */
  #cacheSources(refs: readonly string[], memo: MemoRecorder): ImageConfig[] {
    const out: ImageConfig[] = [];
    for (const ref of refs) {
      try {
        const rec = this.d.images.resolve(ref);
        memo.deps.push({ ref, id: rec.id, via: 'images' });
        out.push(rec.config);
      } catch {
        memo.deps.push({ ref, id: null, via: 'images' });
        this.d.log.warn({ ref }, 'could not look up the --cache-from image, skipping it');
      }
    }
    return out;
  }

  #memoValid(e: MemoEntry): boolean {
    return memoValid(e, {
      resolve: (ref, via) => {
        if (via === 'store') return this.d.store.resolve(ref)?.id ?? null;
        try { return this.d.images.resolve(ref).id; } catch { return null; }
      },
      cacheGet: (k) => this.d.store.cacheGet(k)?.id,
      hasStep: (id) => this.d.store.getImage(id) !== undefined,
    });
  }

  /** Answers a build from the replay memo: what the build said, then its final lines. */
  async #replay(e: MemoEntry, opts: BuildOptions, emit: (m: BuildMessage) => void | Promise<void>): Promise<string> {
    if (!opts.quiet) for (const m of e.transcript!) await emit(m);
    return this.#finish(opts, emit, this.d.store.getImage(e.stepId)!.config);
  }

  /** The final image and tags, and the build's last lines. */
  async #finish(opts: BuildOptions, emit: (m: BuildMessage) => void | Promise<void>, config: ImageConfig): Promise<string> {
    const say = (text: string): void => { if (!opts.quiet) void emit({ stream: text }); };
    const rec = await this.d.images.store.put(config);
    void emit({ aux: { ID: rec.id } });
    say(`Successfully built ${shortId(rec.id.slice(7))}\n`);
    for (const t of opts.tags) {
      // A rebuild that changed nothing leaves its tags as they are (no reference write).
      let current: string | null = null;
      try { current = this.d.images.resolve(t).id; } catch { /* not tagged yet */ }
      if (current !== rec.id) await this.d.images.tag(rec.id, t);
      say(`Successfully tagged ${normalizeForMessage(t)}\n`);
    }
    if (opts.quiet) await emit({ stream: `${rec.id}\n` });
    return rec.id;
  }

  /** A step the local cache misses, found in a --cache-from image (moby imageCache.GetCache). */
  async #fromCacheSources(r: Run, st: StageState, next: ImageConfig, createdBy: string, layer: boolean): Promise<StepImage | null> {
    if (r.cacheSources.length === 0 || r.opts.noCache) return null;
    const hit = probeCacheFrom(r.cacheSources, st.image.config, createdBy, layer);
    if (!hit) return null;
    const config = hit.kind === 'image' ? hit.config : restoredConfig(next, st.image.config, hit);
    const img = await this.d.store.putImage(config);
    // Its layer is a source image's: it must exist in the layer store (a source is local).
    if (img.topChainId !== null && !this.d.layers.get(img.topChainId)) return null;
    return img;
  }

  #say(r: Run, text: string): void {
    if (!r.opts.quiet) r.emit({ stream: text });
  }

  async #run(r: Run, done: (stepId: string) => void): Promise<string> {
    const { df } = r;
    r.args.evalMeta(df.metaArgs, r.escape);
    let targetIdx = df.stages.length - 1;
    if (r.opts.target) {
      targetIdx = df.stages.findIndex((s) => s.name === r.opts.target.toLowerCase());
      if (targetIdx < 0) throw new InvalidArgumentError(`failed to reach build target ${r.opts.target} in Dockerfile`);
    }
    const needed = this.#neededStages(r, targetIdx);
    const labels = Object.entries(r.opts.labels);
    r.total = needed.reduce((n, i) => n + 1 + df.stages[i]!.instructions.length, 0) + (labels.length ? 1 : 0);
    for (const w of df.warnings) this.#say(r, w + '\n');
    const last = await this.#stages(r, needed, targetIdx, labels);
    const unused = r.args.unconsumed();
    if (unused.length) this.#say(r, `[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    done(last.id);
    return this.#finish(r.opts, r.emit, last.config);
  }

  /**
   * Builds the needed stages, each as soon as the stages it uses are built: independent
   * stages run at the same time. Their output is kept back and let through in Dockerfile
   * order, so it reads as a sequential build (same step numbers, same lines). The first
   * failing stage stops the others (their RUN containers are killed).
   */
  async #stages(r: Run, needed: number[], targetIdx: number, labels: [string, string][]): Promise<StepImage> {
    const { df } = r;
    const abort = new AbortController();
    const onAbort = (): void => abort.abort(r.signal.reason);
    r.signal.addEventListener('abort', onAbort, { once: true });
    const held: BuildMessage[][] = needed.map(() => []);
    const finished = needed.map(() => false);
    let live = 0;
    const emitFor = (pos: number) => (m: BuildMessage): void | Promise<void> => {
      if (pos === live) return r.emit(m);
      held[pos]!.push(m);
    };
    const release = (pos: number): void => {
      finished[pos] = true;
      while (live < needed.length && finished[live]) {
        live++;
        if (live < needed.length) { for (const m of held[live]!) r.emit(m); held[live] = []; }
      }
    };
    let offset = 0;
    const runs = needed.map((idx, pos) => {
      const stage = df.stages[idx]!;
      const sr: Run = { ...r, emit: emitFor(pos), step: offset, signal: abort.signal };
      offset += 1 + stage.instructions.length;
      return { idx, pos, stage, sr };
    });
    for (const { idx, pos, stage, sr } of runs) {
      const done = (async (): Promise<StepImage> => {
        // Let the stages this one waits on (FROM <stage>, COPY --from) start first.
        await Promise.resolve();
        const st = await this.#from(sr, stage);
        for (const ins of stage.instructions) {
          if (sr.signal.aborted) throw new BuildError('build cancelled');
          await this.#step(sr, st, ins);
        }
        if (idx === targetIdx && labels.length) {
          // --label: one more LABEL step, shown as Docker shows it; every character escaped so
          // the values are taken literally (no variable expansion).
          const literal = (t: string): string => [...t].map((ch) => r.escape + ch).join('');
          await this.#step(sr, st, {
            kind: 'label', line: 0, original: `LABEL ${labels.map(([k, v]) => `${k}=${v}`).join(' ')}`,
            pairs: labels.map(([k, v]) => [literal(k), literal(v)]),
          });
        }
        r.results.set(idx, st.image);
        return st.image;
      })();
      done.then(() => release(pos), () => undefined);
      r.stageDone.set(idx, done);
    }
    try {
      const all = runs.map((x) => r.stageDone.get(x.idx)!);
      // The first failure: stop the rest, show the failing stage's output, rethrow.
      await new Promise<void>((resolve, reject) => {
        let left = all.length;
        all.forEach((p, pos) => p.then(() => { if (--left === 0) resolve(); }, (err: unknown) => {
          abort.abort(err);
          for (let k = live; k <= pos; k++) { if (k !== live) for (const m of held[k]!) r.emit(m); held[k] = []; }
          live = needed.length;
          reject(err);
        }));
      });
      await Promise.allSettled(all);
      return r.results.get(targetIdx)!;
    } catch (err) {
      await Promise.allSettled(runs.map((x) => r.stageDone.get(x.idx)!));
      throw err;
    } finally {
      r.signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stage indexes the target depends on (FROM <stage>, COPY --from), in Dockerfile order. */
  #neededStages(r: Run, target: number): number[] {
    const { stages } = r.df;
    const byName = (ref: string, before: number): number => {
      const lower = ref.toLowerCase();
      const i = stages.findIndex((s, k) => k < before && s.name === lower);
      if (i >= 0) return i;
      if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
      return -1;
    };
    const need = new Set<number>();
    const visit = (i: number): void => {
      if (need.has(i)) return;
      need.add(i);
      const s = stages[i]!;
      let img = s.from.image;
      try { img = processWord(img, r.args.metaLookup(), r.escape); } catch { /* reported when built */ }
      const dep = byName(img, i);
      if (dep >= 0 && !/^\d+$/.test(img)) visit(dep);
      for (const ins of s.instructions) {
        if (ins.kind === 'copy' && ins.from !== null) {
          const d2 = byName(ins.from, i);
          if (d2 >= 0) visit(d2);
        }
        if (ins.kind === 'run') {
          for (const raw of ins.mounts) {
            let from = '';
            try { from = parseRunMount(raw).from; } catch { /* reported when built */ }
            const d2 = from ? byName(from, i) : -1;
            if (d2 >= 0) visit(d2);
          }
        }
      }
    };
    visit(target);
    return [...need].sort((a, b) => a - b);
  }

  #header(r: Run, original: string): void {
    r.step++;
    this.#say(r, `Step ${r.step}/${r.total} : ${original}\n`);
  }

  #lineError(line: number, err: unknown): Error {
    if (err instanceof BuildError) {
      // A failing RUN keeps Docker's exact wording (its output is right above it).
      if (err.exitCode !== undefined || err.message.includes('(Dockerfile line')) return err;
      return new BuildError(`${err.message} (Dockerfile line ${line})`);
    }
    if (err instanceof ShellLexError || err instanceof RunMountError || err instanceof CopyError || err instanceof ScopeError || err instanceof ArchiveError || err instanceof DockerfileParseError) {
      return new BuildError(`${err.message} (Dockerfile line ${line})`);
    }
    return err as Error;
  }

  async #from(r: Run, stage: Stage): Promise<StageState> {
    this.#header(r, stage.from.original);
    const f = stage.from;
    let ref: string;
    try {
      ref = processWord(f.image, r.args.metaLookup(), r.escape);
    } catch (err) {
      throw this.#lineError(f.line, err);
    }
    if (ref === '') throw new BuildError(`base name (${f.image}) should not be blank (Dockerfile line ${f.line})`);
    let image: StepImage;
    const stageIdx = r.df.stages.findIndex((s, k) => k < stage.index && s.name === ref.toLowerCase());
    if (stageIdx >= 0) {
      const dep = r.stageDone.get(stageIdx);
      if (!dep) throw new BuildError(`stage ${ref} was not built (Dockerfile line ${f.line})`);
      image = await dep;
    } else if (ref === 'scratch') {
      const config: ImageConfig = { architecture: goArch(), os: 'linux', config: { Env: [DEFAULT_PATH] }, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
      image = await this.d.store.putImage(config);
    } else {
      let rec: { id: string; config: ImageConfig; topChainId: string | null } | null = null;
      const isId = /^(sha256:)?[0-9a-f]{12,64}$/.test(ref);
      // --pull: always ask the registry (dockerd's PullOptionForcePull); an image id cannot be pulled.
      if (!r.opts.pull || isId || !this.d.pull) {
        try {
          rec = this.d.images.resolve(ref);
          r.memo.deps.push({ ref, id: rec.id, via: 'images' });
        } catch {
          rec = this.d.store.resolve(ref) ?? null;
          r.memo.deps.push({ ref, id: null, via: 'images' }, { ref, id: rec?.id ?? null, via: 'store' });
        }
      }
      if (rec === null) {
        if (!this.d.pull || isId) throw new NotFoundError(`pull access denied for ${ref}, repository does not exist or may require 'docker login': berth found no local image ${ref} (Dockerfile line ${f.line})`);
        r.memo.ok = false;
        try {
          await this.#pull(r, ref);
        } catch (err) {
          if (r.signal.aborted) throw err;
          throw new BuildError(`${(err as Error).message} (Dockerfile line ${f.line})`);
        }
        rec = this.d.images.resolve(ref);
      }
      image = await this.d.store.putImage(rec.config);
    }
    this.#say(r, ` ---> ${shortId(image.id.slice(7))}\n`);
    const config = cloneConfig(image.config);
    config.config ??= {};
    if (!(config.config.Env ?? []).some((e) => e.startsWith('PATH='))) config.config.Env = [...(config.config.Env ?? []), DEFAULT_PATH];
    const st: StageState = { stage, image, config, args: new Map(), shell: config.config.Shell ?? DEFAULT_SHELL, cmdSet: false };
    const triggers = config.config.OnBuild ?? [];
    if (triggers.length) {
      this.#say(r, `# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      config.config.OnBuild = null;
      for (const t of triggers) {
        let ins: Instruction;
        try { ins = parseOneInstruction(t, r.escape); } catch (err) { throw this.#lineError(f.line, err); }
        await this.#dispatch(r, st, { ...ins, line: f.line });
      }
    }
    return st;
  }

  /** Pulls a FROM image once per build, its progress in the build's output. */
  #pull(r: Run, ref: string): Promise<void> {
    let p = r.pulled.get(ref);
    if (!p) {
      const pull = this.d.pull!;
      p = pull(ref, { platform: r.opts.platform, registryAuth: registryAuthFor(r.opts.registryConfig, ref), signal: r.signal }, (m) => { if (!r.opts.quiet) void r.emit(m); });
      r.pulled.set(ref, p);
    }
    return p;
  }

  async #step(r: Run, st: StageState, ins: Instruction): Promise<void> {
    this.#header(r, ins.original);
    await this.#dispatch(r, st, ins);
  }

  async #dispatch(r: Run, st: StageState, ins: Instruction): Promise<void> {
    try {
      switch (ins.kind) {
        case 'run': return await this.#runStep(r, st, ins);
        case 'copy':
        case 'add': return await this.#copyStep(r, st, ins);
        case 'from': throw new BuildError('FROM cannot be used here');
        default: return await this.#metaStep(r, st, ins);
      }
    } catch (err) {
      throw this.#lineError(ins.line, err);
    }
  }

  #lookup(st: StageState): ReturnType<typeof stageLookup> {
    return stageLookup(st.config.config?.Env ?? [], st.args);
  }

  /** Commits a config-only step (empty layer) through the cache. */
  async #commitMeta(r: Run, st: StageState, createdBy: string, history: string, mutate: (c: ImageRuntimeConfig, full: ImageConfig) => void): Promise<void> {
    const key = cacheKey([st.image.id, createdBy, st.config.config]);
    const hit = r.opts.noCache ? undefined : this.d.store.cacheGet(key);
    if (hit) {
      this.#adopt(r, st, hit, true, key);
      return;
    }
    const next = cloneConfig(st.config);
    next.config ??= {};
    mutate(next.config, next);
    const restored = await this.#fromCacheSources(r, st, next, history, false);
    if (restored) {
      await this.d.store.cacheSet(key, restored.id);
      this.#adopt(r, st, restored, true, key);
      return;
    }
    const created = new Date().toISOString();
    next.created = created;
    next.history = [...(next.history ?? []), { created, created_by: history, empty_layer: true }];
    const img = await this.d.store.putImage(next);
    await this.d.store.cacheSet(key, img.id);
    this.#adopt(r, st, img, false, key);
  }

  #adopt(r: Run, st: StageState, img: StepImage, cached: boolean, key: string): void {
    r.memo.keys.push([key, img.id]);
    if (!cached) r.memo.allHits = false;
    if (cached) this.#say(r, ' ---> Using cache\n');
    st.image = img;
    st.config = cloneConfig(img.config);
    st.config.config ??= {};
    this.#say(r, ` ---> ${shortId(img.id.slice(7))}\n`);
  }

  async #metaStep(r: Run, st: StageState, ins: MetaInstruction | ArgInstr): Promise<void> {
    const lookup = this.#lookup(st);
    if (ins.kind === 'arg') {
      const shown: string[] = [];
      for (const a of ins.args) {
        st.args.set(a.name, r.args.stageValue(a.name, a.value, lookup, r.escape));
        shown.push(a.value === null ? a.name : `${a.name}=${a.value}`);
      }
      const text = `ARG ${shown.join(' ')}`;
      return this.#commitMeta(r, st, text, nopLine(st.shell, text), () => undefined);
    }
    const change = metaChange(ins, { lookup, escape: r.escape, shell: st.shell, cmdSet: st.cmdSet, workdir: st.config.config?.WorkingDir ?? '' });
    await this.#commitMeta(r, st, change.createdBy, change.history, change.apply);
    if (ins.kind === 'cmd') st.cmdSet = true;
    if (ins.kind === 'shell') st.shell = ins.shell;
  }

  async #runStep(r: Run, st: StageState, ins: RunInstr): Promise<void> {
    checkRunFlags(ins);
    const cmd = runCommand(ins, st.shell);
    const env = st.config.config?.Env ?? [];
    const argEnv = runArgEnv(env, st.args);
    const look = this.#lookup(st);
    let sshIndex = 0;
    const mounts = ins.mounts.map((raw) => {
      const m = parseRunMount(raw, (v) => processWord(v, look, r.escape), st.config.config?.WorkingDir || '/', sshIndex);
      if (m.type === 'ssh') sshIndex++;
      return m;
    });
    // With mounts the step is one only BuildKit builds: its history line is BuildKit's.
    const createdBy = mounts.length ? `RUN ${runCreatedBy(cmd, argEnv)} # buildkit` : runCreatedBy(cmd, argEnv);
    const scratch = join(r.dir, `step-${randomBytes(6).toString('hex')}`);
    const menv: MountEnv = {
      layers: this.d.layers, cache: this.#cacheMounts, contextDir: r.contextDir, scratch, secrets: r.secrets, digests: r.digests,
      fromImage: (ref) => this.#fromImage(r, st, ref),
      signal: r.signal, command: cmd, ssh: r.ssh,
    };
    const mountKeys = mounts.length ? await mountKeyParts(mounts, menv) : [];
    const key = cacheKey([st.image.id, 'RUN', createdBy, st.config.config, ins.network, ins.security, ...(mounts.length ? [mountKeys] : [])]);
    const hit = r.opts.noCache ? undefined : this.d.store.cacheGet(key);
    if (hit) { this.#adopt(r, st, hit, true, key); return; }
    const restored = await this.#fromCacheSources(r, st, st.config, createdBy, true);
    if (restored) {
      await this.d.store.cacheSet(key, restored.id);
      this.#adopt(r, st, restored, true, key);
      return;
    }
    r.memo.allHits = false; // the step runs: its output is not a cached build's
    const prepared = mounts.length ? await setupMounts(mounts, menv) : null;
    // The step's parent must be findable by the container side (build-store resolve).
    await this.d.store.putImage(st.image.config);
    const predefined = r.args.predefined().map(([k, v]) => `${k}=${v}`);
    // As BuildKit: the first ssh mount mounted is the RUN's SSH_AUTH_SOCK (only while it runs).
    const sshTarget = mounts.find((m) => m.type === 'ssh' && prepared?.mounts.some((p) => p.target === m.target))?.target;
    const sshEnv = sshTarget !== undefined && ![...env, ...argEnv].some((e) => e.startsWith('SSH_AUTH_SOCK=')) ? [`SSH_AUTH_SOCK=${sshTarget}`] : [];
    const c = st.config.config ?? {};
    const utf8 = new StringDecoder('utf8'); // output chunks may split a character
    let containerId: string | null = null;
    try {
      const res = await this.d.backend.run({
        image: st.image.id, cmd, env: [...env, ...argEnv, ...predefined.filter((p) => !argEnv.some((a) => a.split('=')[0] === p.split('=')[0])), ...sshEnv],
        user: c.User ?? '', workingDir: c.WorkingDir ?? '',
        networkMode: ins.network && ins.network !== 'default' ? ins.network : r.opts.networkMode, extraHosts: r.opts.extraHosts,
        mounts: prepared?.mounts,
      }, {
        created: (id) => { containerId = id; this.#say(r, ` ---> Running in ${shortId(id)}\n`); },
        output: (chunk) => (r.opts.quiet ? undefined : r.emit({ stream: utf8.write(chunk) })),
      }, r.signal);
      containerId = res.containerId;
      if (res.exitCode !== 0) {
        throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${res.exitCode}`, res.exitCode);
      }
      const upper = await this.d.layers.upperDir(containerId);
      await stripRunArtifacts(upper);
      if (prepared) await stripMountStubs(upper, prepared.mounts.map((m) => m.target), this.d.layers, st.image.topChainId);
      const layer = await this.d.layers.registerDir(st.image.topChainId, upper);
      const next = cloneConfig(st.config);
      const created = new Date().toISOString();
      next.created = created;
      next.rootfs = { type: 'layers', diff_ids: [...next.rootfs.diff_ids, layer.diffId] };
      // BuildKit marks its history entries with this comment (dockerfile2llb historyComment).
      next.history = [...(next.history ?? []), { created, created_by: createdBy, ...(mounts.length ? { comment: 'buildkit.dockerfile.v0' } : {}) }];
      const img = await this.d.store.putImage(next);
      await this.d.store.cacheSet(key, img.id);
      if (r.opts.rm || r.opts.forceRm) this.#say(r, ` ---> Removed intermediate container ${shortId(containerId)}\n`);
      this.#adopt(r, st, img, false, key);
    } finally {
      if (containerId !== null) await this.d.backend.remove(containerId).catch((err: unknown) => this.d.log.warn({ err, container: containerId }, 'removing a build container failed'));
      if (prepared) await prepared.release();
      if (mounts.length) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** A rootfs mounted read-only-by-convention for COPY --from and for the copy target. */
  async #withMount<T>(top: string | null, fn: (rootfs: string, id: string) => Promise<T>): Promise<T> {
    const id = newId();
    await this.d.layers.createRW(id, top);
    let mounted = false;
    try {
      const rootfs = await this.d.layers.mountRW(id, top);
      mounted = true;
      return await fn(rootfs, id);
    } finally {
      if (mounted) await this.d.layers.unmountRW(id).catch(() => undefined);
      await this.d.layers.removeRW(id).catch(() => undefined);
    }
  }

  /** The image a COPY --from or a RUN --mount from= names: a stage (name or index) or an image. */
  async #fromImage(r: Run, st: StageState, fromRef: string): Promise<StepImage> {
    let fromImage: StepImage | null = null;
    const idx = r.df.stages.findIndex((s, k) => k < st.stage.index && s.name === fromRef.toLowerCase());
    const byIndex = /^\d+$/.test(fromRef) ? Number(fromRef) : -1;
    if (idx >= 0) fromImage = (await r.stageDone.get(idx)) ?? null;
    else if (byIndex >= 0) {
      if (byIndex >= st.stage.index) throw new BuildError(`invalid from flag value ${fromRef}: refers to current or future build stage`);
      fromImage = (await r.stageDone.get(byIndex)) ?? null;
    } else {
      try {
        const rec = this.d.images.resolve(fromRef);
        r.memo.deps.push({ ref: fromRef, id: rec.id, via: 'images' });
        fromImage = await this.d.store.putImage(rec.config);
      } catch {
        throw new BuildError(`invalid from flag value ${fromRef}: No such image: ${fromRef}`);
      }
    }
    if (!fromImage) throw new BuildError(`invalid from flag value ${fromRef}: stage not built`);
    return fromImage;
  }

  async #copyStep(r: Run, st: StageState, ins: CopyInstr): Promise<void> {
    const look = this.#lookup(st);
    const word = (s: string): string => processWord(s, look, r.escape);
    const name = ins.kind.toUpperCase();
    const destWritten = word(ins.dest);
    let dest = destWritten;
    const workdir = st.config.config?.WorkingDir || '/';
    const destIsDirSyntax = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
    dest = posix.isAbsolute(dest) ? posix.normalize(dest) : posix.join(workdir, dest);
    const chown = ins.chown !== null ? word(ins.chown) : null;
    const chmod = ins.chmod !== null ? parseChmod(word(ins.chmod)) : null;
    // Scratch space (heredoc files, downloads, ADD's archives), made only when needed:
    // a cache hit touches no disk beyond reading the sources.
    const scratch = join(r.dir, `step-${randomBytes(6).toString('hex')}`);
    try {
      // Source root: the context, or another stage / an image (mounted) for COPY --from.
      const fromImage = ins.from !== null ? await this.#fromImage(r, st, word(ins.from)) : null;
      // .dockerignore (context sources only) plus --exclude patterns (BuildKit's COPY/ADD flag).
      const excludes = ins.exclude.map((e) => word(e));
      const baseIgnore = ins.from === null ? r.ignoreLines : [];
      const ignore = baseIgnore.length + excludes.length ? new IgnoreMatcher([...baseIgnore, ...parseDockerignore(excludes.join('\n'))]) : null;
      if (ins.checksum !== null && !ins.sources.every((x) => /^https?:\/\//i.test(word(x)))) throw new BuildError(`checksum can't be specified for non-HTTP(S) sources`);
      const collect = async (root: string): Promise<{ entries: SourceEntry[]; hash: string; kinds: string[] }> => {
        const entries: SourceEntry[] = [];
        const kinds: string[] = [];
        for (const src of ins.sources) {
          if (src.startsWith('<<')) {
            const h = ins.heredocs.find((x) => `<<${x.name}` === src)!;
            const hdir = join(scratch, 'heredoc');
            await mkdir(hdir, { recursive: true });
            const p = join(hdir, h.name);
            await writeFile(p, h.expand ? word(h.content) : h.content, { mode: 0o644 });
            entries.push({ hostPath: p, rel: h.name, isDir: false });
            kinds.push('file');
            continue;
          }
          const s = word(src);
          if (/^https?:\/\//i.test(s)) {
            if (ins.kind === 'copy') throw new BuildError(`source can't be a URL for COPY`);
            r.memo.ok = false; // remote content: a replay could not know it is unchanged
            const p = await downloadUrl(s, join(scratch, 'url', String(entries.length)), r.signal, ins.checksum !== null ? word(ins.checksum) : null);
            entries.push({ hostPath: p, rel: posix.basename(p), isDir: false });
            kinds.push('file');
            continue;
          }
          if (/^git@|\.git(#|$)/.test(s) && ins.kind === 'add') throw new BuildError(`ADD of git repositories is not supported: ${s}`);
          const found = await matchSources(root, s, ignore, root === r.contextDir);
          if (found.length === 0) {
            throw new BuildError(ins.from === null
              ? `${name} failed: file not found in build context or excluded by .dockerignore: stat ${s}: file does not exist`
              : `${name} failed: stat ${s}: file does not exist`);
          }
          for (const e of found) { entries.push(e); kinds.push(e.isDir ? 'dir' : 'file'); }
        }
        const hash = await hashSources(entries, ignore, r.digests);
        return { entries, hash, kinds };
      };
      const doCopy = async (srcRoot: string): Promise<void> => {
        const { entries, hash, kinds } = await collect(srcRoot);
        const kind = kinds.length > 1 ? 'multi' : kinds[0]!;
        const createdBy = `${name} ${kind}:${hash} in ${destWritten} `;
        const key = cacheKey([st.image.id, createdBy, chown, chmod, fromImage?.id ?? null, st.config.config?.WorkingDir ?? '', ins.parents, excludes]);
        const hit = r.opts.noCache ? undefined : this.d.store.cacheGet(key);
        if (hit) { this.#adopt(r, st, hit, true, key); return; }
        const restored = await this.#fromCacheSources(r, st, st.config, nopLine(st.shell, createdBy, true), true);
        if (restored) {
          await this.d.store.cacheSet(key, restored.id);
          this.#adopt(r, st, restored, true, key);
          return;
        }
        const layer = await this.#withMount(st.image.topChainId, async (rootfs, id) => {
          const owner = chown !== null ? await resolveOwner(rootfs, chown) : (ins.from === null ? { uid: 0, gid: 0 } : null);
          await copySources(entries, {
            rootfs, dest, destIsDir: destIsDirSyntax || entries.length > 1 || ins.parents, owner, chmod,
            ignore, extractArchives: ins.kind === 'add', tmpDir: scratch, parents: ins.parents,
          });
          await this.d.layers.unmountRW(id);
          return this.d.layers.registerDir(st.image.topChainId, await this.d.layers.upperDir(id));
        });
        const next = cloneConfig(st.config);
        const created = new Date().toISOString();
        next.created = created;
        next.rootfs = { type: 'layers', diff_ids: [...next.rootfs.diff_ids, layer.diffId] };
        next.history = [...(next.history ?? []), { created, created_by: nopLine(st.shell, createdBy, true) }];
        const img = await this.d.store.putImage(next);
        await this.d.store.cacheSet(key, img.id);
        this.#adopt(r, st, img, false, key);
      };
      if (fromImage === null) await doCopy(r.contextDir);
      else if (fromImage.topChainId === null) throw new BuildError(`${name} failed: the source image has no files`);
      else await this.#withMount(fromImage.topChainId, (rootfs) => doCopy(rootfs));
    } finally {
      void rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

function normalizeForMessage(t: string): string {
  const last = t.split('/').pop() ?? t;
  return last.includes(':') || t.includes('@') ? t : `${t}:latest`;
}

/** Moves the secrets sidecar out of the context (see SECRETS_SIDECAR); id -> host file. */
async function takeSecrets(contextDir: string, into: string, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const sidecar = join(contextDir, SECRETS_SIDECAR);
  try {
    await mkdir(into, { recursive: true, mode: 0o700 });
    for (const [i, id] of ids.entries()) {
      if (typeof id !== 'string' || id === '') throw new InvalidArgumentError(`invalid secrets parameter: secret ${i} has no id`);
      const src = join(sidecar, String(i));
      const st = await lstat(src).catch(() => null);
      if (!st?.isFile()) throw new InvalidArgumentError(`secret ${id}: the context has no ${SECRETS_SIDECAR}/${i} file for it`);
      const dst = join(into, String(i));
      await rename(src, dst);
      out.set(id, dst);
    }
  } finally {
    await rm(sidecar, { recursive: true, force: true });
  }
  return out;
}
