// The CLI's own version facts (docker version's Client section).
import { API_VERSION } from '../api/types/index.ts';

export const CLI_VERSION = '0.1.0';
export const DEFAULT_API_VERSION = API_VERSION;

/** Node's platform/arch in Go's GOOS/GOARCH spelling. */
export function goOsArch(): { os: string; arch: string } {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return { os: process.platform === 'win32' ? 'windows' : process.platform, arch: arch[process.arch] ?? process.arch };
}
