// Filters of GET /volumes and POST /volumes/prune (moby daemon/volumes.go and
// daemon/volume/service/convert.go): dangling, name, driver, label and label! for listing;
// label, label! and all for prune.
import { InvalidArgumentError } from '../lib/index.ts';

export type Filters = Record<string, string[]>;

export interface VolumeFacts {
  name: string;
  driver: string;
  labels: Readonly<Record<string, string>>;
  inUse: boolean;
}

const LIST_KEYS = new Set(['dangling', 'name', 'driver', 'label', 'label!']);
const PRUNE_KEYS = new Set(['label', 'label!', 'all']);

function boolValue(key: string, v: string): boolean {
  const l = v.toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  throw new InvalidArgumentError(`invalid filter '${key}=${v}'`);
}

function labelMatches(labels: Readonly<Record<string, string>>, want: string): boolean {
  const i = want.indexOf('=');
  if (i < 0) return want in labels;
  return labels[want.slice(0, i)] === want.slice(i + 1);
}

function checkKeys(f: Filters, allowed: ReadonlySet<string>): void {
  for (const k of Object.keys(f)) if (!allowed.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
}

/** Validates list filters and returns the predicate. */
export function listFilter(f: Filters): (v: VolumeFacts) => boolean {
  checkKeys(f, LIST_KEYS);
  const dangling = (f.dangling ?? []).map((v) => boolValue('dangling', v));
  const names = (f.name ?? []).map((n) => {
    try { return new RegExp(n); } catch { throw new InvalidArgumentError(`invalid filter 'name=${n}'`); }
  });
  return (v) => {
    if (dangling.length > 0 && !dangling.includes(!v.inUse)) return false;
    if (names.length > 0 && !names.some((re) => re.test(v.name))) return false;
    if ((f.driver ?? []).length > 0 && !f.driver!.includes(v.driver)) return false;
    if (!(f.label ?? []).every((l) => labelMatches(v.labels, l))) return false;
    if ((f['label!'] ?? []).some((l) => labelMatches(v.labels, l))) return false;
    return true;
  };
}

/** Validates prune filters; `all` widens the prune from anonymous volumes to every unused one. */
export function pruneFilter(f: Filters): { all: boolean; matches: (v: VolumeFacts) => boolean } {
  checkKeys(f, PRUNE_KEYS);
  const all = (f.all ?? []).some((v) => boolValue('all', v));
  return {
    all,
    matches: (v) => (f.label ?? []).every((l) => labelMatches(v.labels, l)) && !(f['label!'] ?? []).some((l) => labelMatches(v.labels, l)),
  };
}
