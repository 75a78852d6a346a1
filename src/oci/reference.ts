// Image references (distribution/reference grammar, simplified): [domain/]path[:tag][@digest].
// berth stores and shows "familiar" names as Docker does: docker.io/library/busybox:latest
// is "busybox:latest", docker.io/foo/bar is "foo/bar".

export interface ParsedReference {
  /** Familiar repository name ("busybox", "foo/bar", "localhost:5000/x"). */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export class ReferenceError extends Error {}

/**
 * Splits "name[:tag][@digest]" without validating (a ':' in a registry host is no tag):
 * for display of whatever a daemon returns, and the first step of parseReference.
 */
export function splitReference(ref: string): { name: string; tag: string | null; digest: string | null } {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

export function parseReference(input: string): ParsedReference {
  const { name: rest, tag, digest } = splitReference(input);
  if (digest !== null && !DIGEST.test(digest)) throw new ReferenceError('invalid reference format');
  if (tag !== null && !TAG.test(tag)) throw new ReferenceError('invalid reference format');
  if (rest === '' || rest.length > 255) throw new ReferenceError('invalid reference format');
  if (rest !== rest.toLowerCase() && !rest.includes('/')) {
    throw new ReferenceError('invalid reference format: repository name must be lowercase');
  }
  const parts = rest.split('/');
  let domain: string | null = null;
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    parts.shift();
  }
  for (const p of parts) {
    if (!NAME_COMPONENT.test(p)) {
      throw new ReferenceError(p !== p.toLowerCase()
        ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format');
    }
  }
  let path = parts.join('/');
  if (domain === 'docker.io' || domain === 'index.docker.io') {
    domain = null;
    if (path.startsWith('library/') && path.split('/').length === 2) path = path.slice('library/'.length);
  }
  const repository = domain === null ? path : `${domain}/${path}`;
  return { repository, tag, digest };
}

/** "busybox" → "busybox:latest"; keeps digests. */
export function normalizeReference(input: string): string {
  const r = parseReference(input);
  if (r.digest !== null) return `${r.repository}@${r.digest}`;
  return `${r.repository}:${r.tag ?? 'latest'}`;
}
