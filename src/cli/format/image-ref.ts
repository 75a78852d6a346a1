// Familiar image names for display (distribution/reference FamiliarString): docker.io and
// library/ are dropped, a digest is dropped but a tag kept ("busybox:1.36").

import { splitReference } from '../../oci/index.ts';

const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io)\//;

/** "docker.io/library/busybox" → "busybox"; "docker.io/foo/bar" → "foo/bar". */
export function familiarName(name: string): string {
  let n = name;
  if (DOCKER_HUB.test(n)) {
    n = n.replace(DOCKER_HUB, '');
    if (n.startsWith('library/') && n.split('/').length === 2) n = n.slice('library/'.length);
  }
  return n;
}

/** The container IMAGE column: familiar name, digest stripped, tag kept. */
export function familiarImage(image: string): string {
  const { name, tag } = splitReference(image);
  return tag === null ? familiarName(name) : `${familiarName(name)}:${tag}`;
}

/**
 * reference.ParseNormalizedNamed(...).Name(): the full name docker's client sends in
 * fromImage and repo parameters ("busybox" → "docker.io/library/busybox").
 */
export function normalizedName(name: string): string {
  const first = name.split('/')[0]!;
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return name;
  return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
}
