// Precompiled seccomp filters for crun. Why this exists: crun compiles config.json's
// `linux.seccomp` with libseccomp on every container start; that was measured at ~22 ms of a
// ~38 ms `crun run` (PLATFORM.md §1.6: up to +50 ms under load; the integration test
// re-measures it). The profile is the same for every container with the
// same capabilities, so berthd compiles it once, with the same libseccomp calls crun makes
// (crun src/libcrun/seccomp.c, libcrun_generate_seccomp), and hands crun the result through the
// `run.oci.seccomp_bpf_data` annotation (raw `struct sock_filter` array, base64).
// `linux.seccomp` stays in config.json: runc ignores the annotation and compiles it, and crun
// still takes the filter `flags` and the notify listener from it. Whenever this module cannot
// produce exactly what crun would (no koffi or libseccomp, or a profile crun would reject) it
// returns no annotation, and crun compiles the profile itself as before.
import { fstatSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OciSeccomp, OciSeccompArg } from '../oci/index.ts';

export interface SeccompBpfCompilerOptions {
  /** dlopen name of libseccomp; crun 1.8.1 links against libseccomp.so.2. */
  libraryPath?: string;
  /** Distinct profiles kept in memory (one per capability set / custom profile in practice). */
  maxEntries?: number;
}

export const SECCOMP_BPF_ANNOTATION = 'run.oci.seccomp_bpf_data';

// ---- libseccomp constants (seccomp.h, libseccomp 2.5) -------------------------------------
const EPERM = 1;
const EEXIST = 17;
const NR_SCMP_ERROR = -1;
const MAX_ARGS = 6; // syscalls have at most six arguments; crun rejects index >= 6
const SOCK_FILTER_SIZE = 8; // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }

const FIXED_ACTIONS: Readonly<Record<string, number>> = {
  ALLOW: 0x7fff0000,
  KILL: 0x00000000, // SCMP_ACT_KILL == SCMP_ACT_KILL_THREAD
  KILL_THREAD: 0x00000000,
  KILL_PROCESS: 0x80000000,
  TRAP: 0x00030000,
  LOG: 0x7ffc0000,
  NOTIFY: 0x7fc00000,
};
const ERRNO_BASE = 0x00050000; // SCMP_ACT_ERRNO(x)
const TRACE_BASE = 0x7ff00000; // SCMP_ACT_TRACE(x)

const OPERATORS: Readonly<Record<string, number>> = {
  NE: 1, LT: 2, LE: 3, EQ: 4, GE: 5, GT: 6, MASKED_EQ: 7,
};

/** Thrown inside compile() when crun would reject the profile or libseccomp refuses a call. */
class NotCompiled extends Error {}

// crun: only ERRNO and TRACE carry an errno; an errnoRet on another action is a config error.
function actionSupportsErrno(action: string): boolean {
  return action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
}

/** crun's get_seccomp_action: the action name plus the errno it embeds, as libseccomp's u32. */
function seccompActionValue(name: string, errnoRet: number): number {
  if (!name.startsWith('SCMP_ACT_')) throw new NotCompiled(`seccomp action ${name}`);
  const p = name.slice('SCMP_ACT_'.length);
  if (p === 'ERRNO') return (ERRNO_BASE | (errnoRet & 0xffff)) >>> 0;
  if (p === 'TRACE') return (TRACE_BASE | (errnoRet & 0xffff)) >>> 0;
  const v = FIXED_ACTIONS[p];
  if (v === undefined) throw new NotCompiled(`seccomp action ${name}`);
  return v;
}

function operatorValue(op: string): number {
  const v = op.startsWith('SCMP_CMP_') ? OPERATORS[op.slice('SCMP_CMP_'.length)] : undefined;
  if (v === undefined) throw new NotCompiled(`seccomp operator ${op}`);
  return v;
}

// Arg values are u64 in the spec; JSON numbers arrive as doubles (exact up to 2^53, which
// covers every value in the shipped profiles). A bigint is accepted for callers that keep
// them exact. Anything that is not a non-negative integer is left to crun to judge.
function datum(v: number | bigint | null | undefined): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'bigint') {
    if (v < 0n || v > 0xffffffffffffffffn) throw new NotCompiled(`seccomp arg value ${v}`);
    return v;
  }
  if (!Number.isSafeInteger(v) || v < 0) throw new NotCompiled(`seccomp arg value ${v}`);
  return BigInt(v);
}

function errnoOf(v: number | null | undefined, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new NotCompiled(`seccomp errnoRet ${v}`);
  return v;
}

// ---- the narrow slice of koffi and libseccomp used here --------------------------------------
type NativeFn = (...args: unknown[]) => unknown;
interface KoffiLib { func(prototype: string): NativeFn }
interface Koffi {
  load(path: string): KoffiLib;
  struct(name: string, members: Record<string, string>): unknown;
}

interface ArgCmp { arg: number; op: number; datum_a: bigint; datum_b: bigint }

function int(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what} returned ${typeof v}`);
  return v;
}

/** libseccomp (and memfd_create from libc), bound through koffi. */
class LibSeccomp {
  readonly init: (defAction: number) => unknown;
  readonly archAdd: (ctx: unknown, token: number) => number;
  readonly archResolveName: (name: string) => number;
  readonly syscallResolveName: (name: string) => number;
  readonly ruleAddArray: (ctx: unknown, action: number, nr: number, args: ArgCmp[]) => number;
  readonly exportBpf: (ctx: unknown, fd: number) => number;
  readonly release: (ctx: unknown) => void;
  readonly memfdCreate: (name: string) => number;

  constructor(koffi: Koffi, libraryPath: string) {
    const lib = koffi.load(libraryPath);
    const libc = koffi.load('libc.so.6');
    const init = lib.func('void *seccomp_init(uint32_t def_action)');
    const archAdd = lib.func('int seccomp_arch_add(void *ctx, uint32_t arch_token)');
    const archResolve = lib.func('uint32_t seccomp_arch_resolve_name(const char *arch_name)');
    const sysResolve = lib.func('int seccomp_syscall_resolve_name(const char *name)');
    const ruleAdd = lib.func(
      'int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, const scmp_arg_cmp *arg_array)',
    );
    const exportBpf = lib.func('int seccomp_export_bpf(void *ctx, int fd)');
    const release = lib.func('void seccomp_release(void *ctx)');
    const memfd = libc.func('int memfd_create(const char *name, unsigned int flags)');
    this.init = (a) => init(a);
    this.archAdd = (ctx, t) => int(archAdd(ctx, t), 'seccomp_arch_add');
    this.archResolveName = (n) => int(archResolve(n), 'seccomp_arch_resolve_name');
    this.syscallResolveName = (n) => int(sysResolve(n), 'seccomp_syscall_resolve_name');
    // seccomp_rule_add(ctx, a, nr, 0) is seccomp_rule_add_array(ctx, a, nr, 0, NULL) in libseccomp.
    this.ruleAddArray = (ctx, a, nr, args) =>
      int(ruleAdd(ctx, a, nr, args.length, args.length === 0 ? null : args), 'seccomp_rule_add_array');
    this.exportBpf = (ctx, fd) => int(exportBpf(ctx, fd), 'seccomp_export_bpf');
    this.release = (ctx) => { release(ctx); };
    const MFD_CLOEXEC = 1;
    this.memfdCreate = (name) => int(memfd(name, MFD_CLOEXEC), 'memfd_create');
  }
}

// koffi's type names are process-wide (declaring scmp_arg_cmp twice throws), so koffi and each
// library are bound once per process and shared by every compiler. Loaded on first use, not at
// import: berthd must start (and crun keep compiling filters) on a host where koffi's prebuilt
// binary or libseccomp is missing.
let koffiModule: Koffi | Error | undefined;
const bound = new Map<string, LibSeccomp | Error>();

function bindLibSeccomp(libraryPath: string): LibSeccomp | Error {
  const known = bound.get(libraryPath);
  if (known !== undefined) return known;
  if (koffiModule === undefined) {
    try {
      const k = createRequire(import.meta.url)('koffi') as Koffi;
      // struct scmp_arg_cmp { unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b; }
      k.struct('scmp_arg_cmp', { arg: 'unsigned int', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
      koffiModule = k;
    } catch (err) {
      koffiModule = err instanceof Error ? err : new Error(String(err));
    }
  }
  let lib: LibSeccomp | Error;
  if (koffiModule instanceof Error) lib = koffiModule;
  else {
    try {
      lib = new LibSeccomp(koffiModule, libraryPath);
    } catch (err) {
      lib = err instanceof Error ? err : new Error(String(err));
    }
  }
  bound.set(libraryPath, lib);
  return lib;
}

interface CacheEntry { bpf: Buffer; base64: string }

export class SeccompBpfCompiler {
  readonly #libraryPath: string;
  readonly #maxEntries: number;
  #lib: LibSeccomp | null = null;
  #unavailable: string | undefined;
  // Keyed by the profile's JSON. A failed compilation is cached too (as null) so a profile
  // crun must compile itself costs one attempt, not one per start. Map order = LRU order.
  readonly #cache = new Map<string, CacheEntry | null>();
  readonly #byObject = new WeakMap<OciSeccomp, CacheEntry | null>();
  #lastError: string | undefined;

  constructor(options: SeccompBpfCompilerOptions = {}) {
    this.#libraryPath = options.libraryPath ?? 'libseccomp.so.2';
    this.#maxEntries = options.maxEntries ?? 32;
  }

  /** Why compile() returns null for every profile (koffi or libseccomp missing), if it does. */
  get unavailableReason(): string | undefined {
    this.#load();
    return this.#unavailable;
  }

  /** Why the last profile that could not be compiled was refused (diagnostics). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * The raw BPF program (an array of 8-byte `struct sock_filter`, as seccomp_export_bpf writes
   * it) that crun would build from `seccomp`, or null when it cannot be produced here. The same
   * Buffer is returned for the same profile; callers must not modify it.
   */
  compile(seccomp: OciSeccomp): Buffer | null {
    return this.#entry(seccomp)?.bpf ?? null;
  }

  /** The annotation that lets crun skip its own compilation, or {} to let it compile. */
  annotationFor(seccomp: OciSeccomp): Record<string, string> {
    const e = this.#entry(seccomp);
    return e === null ? {} : { [SECCOMP_BPF_ANNOTATION]: e.base64 };
  }

  #entry(seccomp: OciSeccomp): CacheEntry | null {
    // The default profile reaches here as the same frozen object for every start with the same
    // capabilities (security/seccomp-converter.ts caches it): found by identity, without
    // serialising ~30 KB of JSON per start for the key.
    const known = this.#byObject.get(seccomp);
    if (known !== undefined) return known;
    const entry = this.#entryByJson(seccomp);
    if (Object.isFrozen(seccomp)) this.#byObject.set(seccomp, entry);
    return entry;
  }

  #entryByJson(seccomp: OciSeccomp): CacheEntry | null {
    const key = JSON.stringify(seccomp);
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const lib = this.#load();
    if (lib === null) return null; // not cached: nothing to remember per profile
    let entry: CacheEntry | null = null;
    try {
      const bpf = this.#build(lib, seccomp);
      entry = { bpf, base64: bpf.toString('base64') };
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
    }
    this.#cache.set(key, entry);
    if (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    return entry;
  }

  #load(): LibSeccomp | null {
    if (this.#lib !== null || this.#unavailable !== undefined) return this.#lib;
    const lib = bindLibSeccomp(this.#libraryPath);
    if (lib instanceof Error) this.#unavailable = lib.message;
    else this.#lib = lib;
    return this.#lib;
  }

  // Mirrors crun's libcrun_generate_seccomp step by step; where crun would fail the container,
  // this throws so that no annotation is set and crun reports its own error.
  #build(lib: LibSeccomp, seccomp: OciSeccomp): Buffer {
    const defName = seccomp.defaultAction;
    if (typeof defName !== 'string' || defName === '') throw new NotCompiled('seccomp misses the default action');
    // Profiles written in Docker's format often carry `null` for absent fields; crun's parser
    // treats null as absent, so `??` folds them into undefined throughout.
    if ((seccomp.defaultErrnoRet ?? undefined) !== undefined && !actionSupportsErrno(defName)) {
      throw new NotCompiled(`errno value specified for action ${defName}`);
    }
    const defaultAction = seccompActionValue(defName, errnoOf(seccomp.defaultErrnoRet, EPERM));

    const ctx = lib.init(defaultAction);
    if (ctx === null || ctx === undefined) throw new NotCompiled('seccomp_init failed');
    try {
      // crun adds each listed arch and keeps the native one (no seccomp_arch_remove) and sets
      // no filter attributes: NNP/TSYNC only matter to seccomp_load, which crun does itself.
      for (const arch of seccomp.architectures ?? []) {
        const name = (arch.startsWith('SCMP_ARCH_') ? arch.slice('SCMP_ARCH_'.length) : arch).slice(0, 31).toLowerCase();
        const token = lib.archResolveName(name);
        if (token === 0) throw new NotCompiled(`seccomp unknown architecture ${arch}`);
        const r = lib.archAdd(ctx, token);
        if (r < 0 && r !== -EEXIST) throw new NotCompiled(`seccomp_arch_add ${arch}: ${r}`);
      }

      for (const rule of seccomp.syscalls ?? []) {
        if ((rule.errnoRet ?? undefined) !== undefined && !actionSupportsErrno(rule.action)) {
          throw new NotCompiled(`errno value specified for action ${rule.action}`);
        }
        const action = seccompActionValue(rule.action, errnoOf(rule.errnoRet, EPERM));
        // libseccomp refuses a rule whose action is the default one (-EACCES); crun skips it.
        if (action === defaultAction) continue;
        const args = rule.args ?? undefined;
        const cmps = args === undefined ? null : argComparisons(args);
        for (const name of rule.names ?? []) {
          // Names this libseccomp does not know (newer syscalls) are skipped, as crun does
          // (with a warning) unless run.oci.seccomp_fail_unknown_syscall is set.
          const nr = lib.syscallResolveName(name);
          if (nr === NR_SCMP_ERROR) continue;
          // Repeated indexes mean "any of" (runc semantics): one rule per comparison.
          const groups = cmps === null ? [[]] : cmps.multiple ? cmps.list.map((c) => [c]) : [cmps.list];
          for (const group of groups) {
            const r = lib.ruleAddArray(ctx, action, nr, group);
            if (r < 0) throw new NotCompiled(`seccomp_rule_add ${name}: ${r}`);
          }
        }
      }
      return exportBpf(lib, ctx);
    } finally {
      lib.release(ctx);
    }
  }
}

// crun: at most six comparisons are used; an index >= 6 is an error; when an index repeats,
// each comparison becomes its own rule instead of one rule ANDing them all.
function argComparisons(args: readonly OciSeccompArg[]): { list: ArgCmp[]; multiple: boolean } {
  const used = args.slice(0, MAX_ARGS);
  const seen = new Set<number>();
  let multiple = false;
  for (const a of used) {
    if (!Number.isInteger(a.index) || a.index < 0 || a.index >= MAX_ARGS) {
      throw new NotCompiled(`invalid seccomp index ${a.index}`);
    }
    if (seen.has(a.index)) { multiple = true; break; }
    seen.add(a.index);
  }
  const list = used.map((a) => ({ arg: a.index, op: operatorValue(a.op), datum_a: datum(a.value), datum_b: datum(a.valueTwo) }));
  return { list, multiple };
}

// seccomp_export_bpf writes to an fd; a memfd keeps the program off the disk and needs no
// cleanup beyond close. (libseccomp 2.5 has no seccomp_export_bpf_mem.)
function exportBpf(lib: LibSeccomp, ctx: unknown): Buffer {
  const fd = lib.memfdCreate('berth-seccomp-bpf');
  if (fd < 0) throw new NotCompiled('memfd_create failed');
  try {
    const r = lib.exportBpf(ctx, fd);
    if (r < 0) throw new NotCompiled(`seccomp_export_bpf: ${r}`);
    const size = fstatSync(fd).size;
    if (size === 0 || size % SOCK_FILTER_SIZE !== 0) throw new NotCompiled(`seccomp_export_bpf wrote ${size} bytes`);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    if (off !== size) throw new NotCompiled(`short read of the BPF program (${off}/${size})`);
    return buf;
  } finally {
    closeSync(fd);
  }
}
