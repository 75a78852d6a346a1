// chainID (image-spec config.md "Layer ChainID"): identifies a layer together with all of
// its parents. chainID(L0) = diffID(L0); chainID(L0..n) = sha256(chainID(L0..n-1) + " " + diffID(n)).
import { createHash } from 'node:crypto';

export function chainIdOf(parent: string | null, diffId: string): string {
  if (parent === null) return diffId;
  return 'sha256:' + createHash('sha256').update(`${parent} ${diffId}`).digest('hex');
}

export function chainIdsOf(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  let parent: string | null = null;
  for (const d of diffIds) {
    parent = chainIdOf(parent, d);
    out.push(parent);
  }
  return out;
}
