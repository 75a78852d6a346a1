// The `filters` query parameter (moby filters.ToJSON): {"status":{"running":true}} for
// `-f status=running`. Filter names are lower-cased and values trimmed, as docker's
// FilterOpt does.
import { InvalidArgumentError } from '../lib/index.ts';

export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parses repeated `-f name=value` flags. */
export function parseFilters(values: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) {
    if (v === '') continue;
    const eq = v.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError('bad format of filter (expected name=value)');
    const name = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1).trim();
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/** JSON for the query string, or undefined when there are no filters. */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  if (filters === undefined || filters.size === 0) return undefined;
  const obj: Record<string, Record<string, boolean>> = {};
  for (const [name, values] of filters) {
    obj[name] ??= {};
    for (const v of values) obj[name][v] = true;
  }
  return JSON.stringify(obj);
}
