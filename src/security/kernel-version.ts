// Kernel release strings compared as moby's pkg/parsers/kernel does: major.minor.patch,
// anything after the first non-numeric part ("-fc-v669", "-amd64") is the flavour and ignored.
import { InvalidKernelVersionError } from './errors.ts';

export interface KernelVersion {
  major: number;
  minor: number;
  patch: number;
}

const RELEASE_RE = /^(\d+)\.(\d+)(?:\.(\d+))?/;

export function parseKernelVersion(release: string): KernelVersion {
  const m = RELEASE_RE.exec(release.trim());
  if (m === null) throw new InvalidKernelVersionError(release);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** <0 if a is older than b, 0 if equal, >0 if newer. */
export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}
