// The `until` filter of the prune endpoints (moby's timetypes.GetTimestamp): a Unix time in
// seconds ("1700000000.5"), an RFC 3339 time or date, or a Go duration before now ("24h",
// "1h30m", "90s"). Returns the cutoff in ms since the epoch: objects created before it match.
import { InvalidArgumentError } from './errors.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

export function untilCutoff(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return now - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`failed to parse value as time or duration: "${v}"`);
  return t;
}

function labelsMatch(labels: Record<string, string>, want: string[], negate: boolean): boolean {
  if (want.length === 0) return true;
  const hit = (l: string): boolean => { const i = l.indexOf('='); return i < 0 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1); };
  return negate ? !want.some(hit) : want.every(hit);
}

/** The prune filters until, label and label! as a predicate over (created ms, labels); other keys are refused. */
export function pruneMatcher(filters: Record<string, string[]>, allowed: readonly string[] = ['until', 'label', 'label!']): (created: number, labels: Record<string, string>) => boolean {
  for (const k of Object.keys(filters)) if (!allowed.includes(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  const until = (filters['until'] ?? []).map((v) => untilCutoff(v));
  const cutoff = until.length ? Math.min(...until) : Infinity;
  return (created, labels) => created < cutoff && labelsMatch(labels, filters['label'] ?? [], false) && labelsMatch(labels, filters['label!'] ?? [], true);
}
