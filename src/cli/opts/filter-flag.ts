// -f/--filter values ("key=value", repeatable) → the filters map, with pflag's error for a
// value without "=" (the same message in every list and prune command).
import { messageOf } from '../../lib/index.ts';
import { parseFilters } from '../../client/index.ts';
import { FlagValueError } from './flag-value-error.ts';

export function filterFlag(values: string[], flagNames = '-f, --filter'): ReturnType<typeof parseFilters> {
  try {
    return parseFilters(values);
  } catch (e) {
    throw new FlagValueError(flagNames, values.find((f) => !f.includes('=')) ?? '', messageOf(e));
  }
}
