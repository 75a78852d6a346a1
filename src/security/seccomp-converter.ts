// Docker seccomp profile → OCI `linux.seccomp`, for one container's capability set, arch and
// kernel (moby profiles/seccomp/seccomp_linux.go setupSeccomp; PLATFORM.md §5.1). Passing
// the Docker profile through unchanged would make runc/crun ignore includes/excludes and
// grant every cap-gated rule, so the conversion is required, and it is on the start path:
// SeccompConverter memoises the result per capability set.
import type { OciSeccomp, OciSyscall } from '../oci/index.ts';
import { InvalidSeccompProfileError } from './errors.ts';
import { compareKernelVersions, parseKernelVersion, type KernelVersion } from './kernel-version.ts';
import type { DockerSeccompCondition, DockerSeccompProfile, DockerSeccompRule } from './seccomp-profile.ts';

/** Where the container runs. */
export interface SeccompTarget {
  /** Go arch of the host: "amd64", "arm64", "386", … */
  arch: string;
  /** Kernel release, e.g. "6.18.44-fc-v669". */
  kernel: string;
}

// GOARCH → libseccomp's native name → SCMP_ARCH_* (moby goToNative / nativeToSeccomp).
const GO_TO_NATIVE: Readonly<Record<string, string>> = {
  '386': 'x86', amd64: 'amd64', arm: 'arm', arm64: 'arm64', mips64: 'mips64', mips64p32: 'mips64n32',
  mips64le: 'mipsel64', mips64p32le: 'mips3l64n32', mipsle: 'mipsel', ppc: 'ppc', ppc64: 'ppc64',
  ppc64le: 'ppc64le', riscv64: 'riscv64', s390: 's390', s390x: 's390x',
};
const NATIVE_TO_SECCOMP: Readonly<Record<string, string>> = {
  x86: 'SCMP_ARCH_X86', amd64: 'SCMP_ARCH_X86_64', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64', mips64n32: 'SCMP_ARCH_MIPS64N32', mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32', mipsle: 'SCMP_ARCH_MIPSEL', ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64', ppc64le: 'SCMP_ARCH_PPC64LE', riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390', s390x: 'SCMP_ARCH_S390X',
};

interface ResolvedTarget {
  native: string;
  kernel: KernelVersion;
}

function resolveTarget(target: SeccompTarget): ResolvedTarget {
  return { native: GO_TO_NATIVE[target.arch] ?? target.arch, kernel: parseKernelVersion(target.kernel) };
}

function architecturesOf(profile: DockerSeccompProfile, native: string): string[] | undefined {
  const explicit = profile.architectures ?? [];
  const archMap = profile.archMap ?? [];
  if (explicit.length > 0 && archMap.length > 0) {
    throw new InvalidSeccompProfileError(
      "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  }
  if (explicit.length > 0) return [...explicit];
  const seccompArch = NATIVE_TO_SECCOMP[native];
  const entry = archMap.find((a) => a.architecture === seccompArch);
  if (entry === undefined) return undefined; // libseccomp then uses the native arch only
  return [entry.architecture, ...(entry.subArchitectures ?? [])];
}

/** Does the kernel reach `min`? */
function kernelAtLeast(kernel: KernelVersion, min: string): boolean {
  return compareKernelVersions(kernel, parseKernelVersion(min)) >= 0;
}

function excluded(cond: DockerSeccompCondition | undefined, caps: ReadonlySet<string>, t: ResolvedTarget): boolean {
  if (cond === undefined) return false;
  if (cond.arches !== undefined && cond.arches.includes(t.native)) return true;
  if (cond.caps !== undefined && cond.caps.some((c) => caps.has(c))) return true;
  return cond.minKernel !== undefined && cond.minKernel !== '' && kernelAtLeast(t.kernel, cond.minKernel);
}

function included(cond: DockerSeccompCondition | undefined, caps: ReadonlySet<string>, t: ResolvedTarget): boolean {
  if (cond === undefined) return true;
  if (cond.arches !== undefined && cond.arches.length > 0 && !cond.arches.includes(t.native)) return false;
  if (cond.caps !== undefined && !cond.caps.every((c) => caps.has(c))) return false;
  return cond.minKernel === undefined || cond.minKernel === '' || kernelAtLeast(t.kernel, cond.minKernel);
}

function convertRule(rule: DockerSeccompRule): OciSyscall {
  if (rule.name !== undefined && rule.name !== '' && rule.names !== undefined && rule.names.length > 0) {
    throw new InvalidSeccompProfileError(
      "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'",
    );
  }
  const names = rule.name !== undefined && rule.name !== '' ? [rule.name] : [...(rule.names ?? [])];
  const out: OciSyscall = { names, action: rule.action };
  if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
  if (rule.args !== undefined && rule.args !== null && rule.args.length > 0) {
    out.args = rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
  }
  return out;
}

function convert(profile: DockerSeccompProfile, caps: ReadonlySet<string>, t: ResolvedTarget): OciSeccomp | null {
  const syscalls = profile.syscalls ?? [];
  // moby: no default action and no rules means "seccomp disabled".
  if (profile.defaultAction === '' && syscalls.length === 0) return null;
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = architecturesOf(profile, t.native);
  if (architectures !== undefined) out.architectures = architectures;
  if (profile.flags !== undefined && profile.flags !== null && profile.flags.length > 0) out.flags = [...profile.flags];
  if (profile.listenerPath !== undefined && profile.listenerPath !== '') out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata !== undefined && profile.listenerMetadata !== '') {
    out.listenerMetadata = profile.listenerMetadata;
  }
  out.syscalls = [];
  for (const rule of syscalls) {
    if (excluded(rule.excludes, caps, t) || !included(rule.includes, caps, t)) continue;
    out.syscalls.push(convertRule(rule));
  }
  return out;
}

/** One-shot conversion for the given capability set (the container's bounding set). */
export function convertSeccompProfile(
  profile: DockerSeccompProfile,
  capabilities: readonly string[],
  target: SeccompTarget,
): OciSeccomp | null {
  return convert(profile, new Set(capabilities), resolveTarget(target));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const MAX_CACHED_SETS = 64;

/**
 * Converts one profile for one host, memoised by capability set. Results are deep-frozen
 * because they are shared between the specs of every container with the same set: a caller
 * that wants to change one must copy it first.
 */
export class SeccompConverter {
  readonly #profile: DockerSeccompProfile;
  readonly #target: ResolvedTarget;
  readonly #cache = new Map<string, OciSeccomp | null>();

  constructor(profile: DockerSeccompProfile, target: SeccompTarget) {
    this.#profile = profile;
    this.#target = resolveTarget(target);
  }

  convert(capabilities: readonly string[]): OciSeccomp | null {
    const key = [...capabilities].sort().join(',');
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const result = deepFreeze(convert(this.#profile, new Set(capabilities), this.#target));
    if (this.#cache.size >= MAX_CACHED_SETS) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(key, result);
    return result;
  }
}

// Converters per profile object (the daemon parses its profile once, so identity is stable)
// and per host. A WeakMap, so one-off custom profiles do not accumulate.
const converters = new WeakMap<DockerSeccompProfile, Map<string, SeccompConverter>>();

/**
 * Memoised conversion: same result as convertSeccompProfile (but frozen), computed once per
 * (profile object, arch, kernel, capability set). Observably pure: the cache only saves work.
 */
export function cachedSeccompProfile(
  profile: DockerSeccompProfile,
  capabilities: readonly string[],
  target: SeccompTarget,
): OciSeccomp | null {
  let perHost = converters.get(profile);
  if (perHost === undefined) {
    perHost = new Map();
    converters.set(profile, perHost);
  }
  const hostKey = `${target.arch}\u0000${target.kernel}`;
  let converter = perHost.get(hostKey);
  if (converter === undefined) {
    converter = new SeccompConverter(profile, target);
    perHost.set(hostKey, converter);
  }
  return converter.convert(capabilities);
}
