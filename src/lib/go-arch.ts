// The host architecture with Go's names (amd64, arm64, …), as image configs and the Docker
// API spell it.
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export function goArch(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}
