// X-Registry-Config of POST /build (docker/cli sends every credential it has, keyed by
// registry, as base64url JSON): the entry for the registry of a FROM image, re-encoded as
// the X-Registry-Auth value a pull takes. Pure.

/** The registry host of an image reference, as docker names it ("docker.io" for Hub images). */
export function registryOf(ref: string): string {
  const i = ref.indexOf('/');
  if (i < 0) return 'docker.io';
  const first = ref.slice(0, i);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return 'docker.io';
  return first === 'index.docker.io' || first === 'registry-1.docker.io' ? 'docker.io' : first;
}

const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'https://docker.io', 'registry-1.docker.io'];

/** The X-Registry-Auth value for `ref` out of an X-Registry-Config header; undefined when none. */
export function registryAuthFor(header: string | undefined, ref: string): string | undefined {
  if (!header) return undefined;
  let map: Record<string, unknown>;
  try {
    map = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof map !== 'object' || map === null) return undefined;
  const host = registryOf(ref);
  const keys = host === 'docker.io' ? HUB_KEYS : [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  for (const k of keys) {
    const v = map[k];
    if (v && typeof v === 'object') return Buffer.from(JSON.stringify(v)).toString('base64url');
  }
  return undefined;
}
