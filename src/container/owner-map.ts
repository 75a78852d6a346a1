// Under --userns-remap a container's files are owned by shifted host ids; archives of its
// filesystem (GET archive, export) name the container's own ids, as dockerd's export does
// (moby TarOptions UIDMaps/GIDMaps: ToContainer). GNU tar does the unshifting with
// --owner-map/--group-map files ("+HOSTID +CONTAINERID" lines, one per id of the range);
// ids outside the range are left as they are.

export interface Remap { uid: number; gid: number; uidSize: number; gidSize: number }

const cache = new Map<string, string>();

/** The map file's text for ids base..base+size-1 -> 0..size-1 (cached: a range is 65536 lines). */
export function idMapText(base: number, size: number): string {
  const key = `${base}:${size}`;
  let text = cache.get(key);
  if (text === undefined) {
    const lines: string[] = new Array<string>(size);
    for (let i = 0; i < size; i++) lines[i] = `+${base + i} +${i}\n`;
    text = lines.join('');
    if (cache.size > 4) cache.clear();
    cache.set(key, text);
  }
  return text;
}

/** The owner and group map texts for a remapped daemon, or null when nothing is remapped. */
export function ownerMaps(remap: Remap | null | undefined): { owner: string; group: string } | null {
  if (!remap || (remap.uid === 0 && remap.gid === 0)) return null;
  return { owner: idMapText(remap.uid, remap.uidSize), group: idMapText(remap.gid, remap.gidSize) };
}
