// --since/--until values as docker's timetypes.GetTimestamp reads them: a Go duration
// ("10m", relative to now), a unix timestamp ("1700000000.5", passed through), or an
// RFC 3339 date/time (local time when it has no zone).
import { InvalidArgumentError } from '../../lib/index.ts';
import { parseGoDuration } from './go-duration.ts';

export function relativeTimestamp(value: string, now: Date): string {
  if (value !== '0') {
    try {
      const ns = parseGoDuration(value);
      return String(Math.floor((now.getTime() - ns / 1e6) / 1000));
    } catch {
      // Not a duration: try the other forms.
    }
  }
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const hasZone = /[zZ+]/.test(value) || (value.match(/-/g) ?? []).length === 3;
  let iso = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00';
  else if (/T\d{2}$/.test(iso)) iso += ':00';
  const ms = Date.parse(hasZone ? iso : iso.replace(/Z$/, ''));
  if (Number.isNaN(ms)) {
    if (value.includes('-')) throw new InvalidArgumentError(`parsing time ${JSON.stringify(value)}: cannot parse`);
    throw new InvalidArgumentError(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  }
  const frac = /\.(\d+)/.exec(value)?.[1] ?? '';
  const nanos = (frac + '000000000').slice(0, 9);
  return `${Math.floor(ms / 1000)}.${nanos}`;
}
