// A reference as a registry sees it: which host to talk to and the repository path there.
// Docker's rules (distribution/reference normalize.go): no domain → docker.io, and a
// one-component path on docker.io gets "library/". The registry of docker.io is
// registry-1.docker.io.
import { parseReference } from '../oci/index.ts';

export interface RemoteReference {
  /** The domain as written (docker.io for Hub). */
  domain: string;
  /** The host to connect to (registry-1.docker.io for Hub). */
  host: string;
  /** The repository path on that registry ("library/busybox"). */
  path: string;
  tag: string | null;
  digest: string | null;
  /** Familiar name without tag/digest ("busybox", "localhost:5000/x"). */
  familiar: string;
}

export function parseRemoteReference(input: string): RemoteReference {
  const r = parseReference(input);
  const parts = r.repository.split('/');
  const first = parts[0]!;
  let domain = 'docker.io';
  let path = r.repository;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = parts.slice(1).join('/');
  } else if (parts.length === 1) {
    path = `library/${path}`;
  }
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  return { domain, host, path, tag: r.tag, digest: r.digest, familiar: r.repository };
}

/** Docker's index name for a host: "docker.io" for Hub (as credentials are keyed). */
export function authKeyOf(domain: string): string {
  return domain === 'docker.io' ? 'https://index.docker.io/v1/' : domain;
}

/** Whether Docker treats the host as insecure by default (loopback; moby registry/config.go). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
