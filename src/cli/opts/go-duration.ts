// Go's time.ParseDuration ("1m30s", "500ms", "1.5h"), used by --health-* flags and
// `logs --since 10m`. Durations travel in the API as nanoseconds.
import { InvalidArgumentError } from '../../lib/index.ts';

const UNIT_NS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Parses a Go duration into nanoseconds; throws with Go's message on bad input. */
export function parseGoDuration(input: string): number {
  const bad = (): InvalidArgumentError => new InvalidArgumentError(`time: invalid duration ${JSON.stringify(input)}`);
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || m[0] === '.' || (m[1] === '' && (m[2] ?? '') === '')) throw bad();
    s = s.slice(m[0].length);
    const unit = /^[^\d.]+/.exec(s)?.[0];
    if (unit === undefined) {
      throw new InvalidArgumentError(`time: missing unit in duration ${JSON.stringify(input)}`);
    }
    const factor = UNIT_NS[unit];
    if (factor === undefined) {
      throw new InvalidArgumentError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(input)}`);
    }
    s = s.slice(unit.length);
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * factor;
  }
  return sign * Math.round(total);
}
