// --cap-add/--cap-drop as docker/cli opts.EffectiveCapAddCapDrop sends them: upper case with
// the CAP_ prefix, "ALL" winning over single names, a capability both added and dropped
// cancelled out, each list sorted.

const ALL = 'ALL';

export function normalizeCapability(cap: string): string {
  const c = cap.trim().toUpperCase();
  if (c === ALL) return c;
  return c.startsWith('CAP_') ? c : `CAP_${c}`;
}

export function effectiveCapabilities(add: readonly string[], drop: readonly string[]): { capAdd: string[]; capDrop: string[] } {
  let addSet = new Set(add.filter((c) => c.trim() !== '').map(normalizeCapability));
  let dropSet = new Set(drop.filter((c) => c.trim() !== '').map(normalizeCapability));
  if (addSet.has(ALL)) addSet = new Set([ALL]);
  if (dropSet.has(ALL)) dropSet = new Set([ALL]);
  for (const c of [...dropSet]) {
    if (addSet.has(c)) {
      addSet.delete(c);
      dropSet.delete(c);
    }
  }
  return { capAdd: [...addSet].sort(), capDrop: [...dropSet].sort() };
}
