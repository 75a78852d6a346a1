// Alert rules (pure): each is a Docker event filter, optional attribute exclusions (e.g. a
// `die` whose exitCode is not 0) and an optional threshold (N matching events of one actor
// within a window, e.g. a restart loop), plus the webhook that receives the matching events.
import { InvalidArgumentError } from '../lib/index.ts';
import { matchesEvent, validateEventFilters, type EventMessage } from '../api/types/index.ts';

export interface AlertRule {
  name: string;
  /** Docker's /events filters (type, event, container, image, label, …). */
  filters: Record<string, string[]>;
  /** Attribute values that make an event NOT match: {"exitCode": ["0"]}. */
  exclude?: Record<string, string[]>;
  /** Fire only when `count` matching events of one actor fall within `windowMs`. */
  threshold?: { count: number; windowMs: number };
  webhook: string;
  timeoutMs: number;
  maxRetries: number;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

function duration(v: unknown, what: string): number {
  if (typeof v === 'number' && v >= 0) return v * 1000;
  const m = typeof v === 'string' ? DURATION.exec(v) : null;
  if (!m) throw new InvalidArgumentError(`${what}: a duration such as "30s" or "5m"`);
  return Number(m[1]) * MS[m[2]!]!;
}

/** daemon.json "alerts": validated into rules, with Docker's wording for bad filters. */
export function parseAlertRules(raw: unknown): AlertRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError('alerts: a list of rules');
  return raw.map((r: unknown, i): AlertRule => {
    const at = `alerts[${i}]`;
    if (r === null || typeof r !== 'object') throw new InvalidArgumentError(`${at}: a rule object`);
    const o = r as Record<string, unknown>;
    const name = typeof o.name === 'string' && o.name ? o.name : `rule${i + 1}`;
    if (typeof o.webhook !== 'string') throw new InvalidArgumentError(`${at}: "webhook" (an http or https URL) is required`);
    let url: URL;
    try { url = new URL(o.webhook); } catch { throw new InvalidArgumentError(`${at}: invalid webhook URL ${JSON.stringify(o.webhook)}`); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`${at}: the webhook must be http or https`);
    const filters = stringLists(o.filters ?? {}, `${at}.filters`);
    validateEventFilters(filters);
    const exclude = o.exclude === undefined ? undefined : stringLists(o.exclude, `${at}.exclude`);
    let threshold: AlertRule['threshold'];
    if (o.threshold !== undefined) {
      const t = o.threshold as Record<string, unknown>;
      if (typeof t?.count !== 'number' || t.count < 1) throw new InvalidArgumentError(`${at}.threshold.count: a number ≥ 1`);
      threshold = { count: t.count, windowMs: duration(t.window, `${at}.threshold.window`) };
    }
    const maxRetries = o.retries === undefined ? 5 : Number(o.retries);
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20) throw new InvalidArgumentError(`${at}.retries: 0 to 20`);
    return { name, filters, ...(exclude ? { exclude } : {}), ...(threshold ? { threshold } : {}), webhook: url.toString(), timeoutMs: o.timeout === undefined ? 5000 : duration(o.timeout, `${at}.timeout`), maxRetries };
  });
}

function stringLists(v: unknown, what: string): Record<string, string[]> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`${what}: an object of lists, e.g. {"event": ["oom"]}`);
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(v as Record<string, unknown>)) {
    const list = Array.isArray(vals) ? vals : [vals];
    if (!list.every((x) => typeof x === 'string')) throw new InvalidArgumentError(`${what}.${k}: strings`);
    out[k] = list as string[];
  }
  return out;
}

/** Per-rule state for thresholds: recent match times by actor. */
export class RuleMatcher {
  readonly #recent = new Map<string, number[]>();

  constructor(readonly rule: AlertRule) {}

  /** true when the event should be delivered now. */
  match(e: EventMessage, now = Date.now()): boolean {
    if (!matchesEvent(e, this.rule.filters)) return false;
    for (const [k, vals] of Object.entries(this.rule.exclude ?? {})) if (vals.includes(e.Actor.Attributes[k] ?? '')) return false;
    const t = this.rule.threshold;
    if (!t) return true;
    const key = `${e.Type}/${e.Actor.ID}`;
    const times = (this.#recent.get(key) ?? []).filter((x) => now - x < t.windowMs);
    times.push(now);
    if (times.length >= t.count) { this.#recent.delete(key); return true; }
    this.#recent.set(key, times);
    return false;
  }
}
