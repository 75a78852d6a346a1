// System routes: /_ping, /version, /info, /events.
import type { EventMessage, VersionResponse } from '../../types/index.ts';
import type { Route } from '../router.ts';
import { InvalidArgumentError } from '../../../lib/index.ts';
import { matchesEvent as matches, validateEventFilters } from '../../types/index.ts';

export interface SystemBackend {
  version(): VersionResponse;
  info(): Promise<Record<string, unknown>>;
  /** Past events in [since, until] and a subscription for new ones. */
  events(since: number | undefined, until: number | undefined, onEvent: (e: EventMessage) => void): { history: EventMessage[]; unsubscribe: () => void };
}

function eventTime(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid value for time: ${v}`);
  return t / 1000;
}

export function systemRoutes(b: SystemBackend, parseFilters: (raw: string | undefined) => Record<string, string[]>): Route[] {
  const ping: Route['handler'] = (x) => {
    if (x.method === 'HEAD') { x.sendEmpty(200); return; }
    x.sendText(200, 'OK');
  };
  return [
    { method: 'GET', path: '/_ping', handler: ping },
    { method: 'GET', path: '/version', handler: (x) => { x.sendJson(200, b.version()); } },
    { method: 'GET', path: '/info', handler: async (x) => { x.sendJson(200, await b.info()); } },
    { method: 'GET', path: '/events', handler: async (x) => {
      const filters = parseFilters(x.query.get('filters') ?? undefined);
      validateEventFilters(filters);
      const since = eventTime(x.query.get('since'));
      const until = eventTime(x.query.get('until'));
      const out = x.stream('application/json');
      const legacy = (e: EventMessage): EventMessage => (e.Type === 'container' || e.Type === 'image')
        ? { ...e, status: e.Action, id: e.Actor.ID, ...(e.Actor.Attributes.image ? { from: e.Actor.Attributes.image } : {}) } : e;
      let buffered = 0;
      await new Promise<void>((resolve) => {
        let untilTimer: NodeJS.Timeout | undefined;
        const finish = (): void => { sub.unsubscribe(); if (untilTimer) clearTimeout(untilTimer); out.end(); resolve(); };
        const sub = b.events(since, until, (e) => {
          if (until !== undefined && e.timeNano / 1e9 > until) return;
          if (!matches(e, filters)) return;
          // A subscriber that stops reading is dropped rather than buffered without bound.
          if (!out.write(JSON.stringify(legacy(e)) + '\n') && ++buffered > 4096) finish();
        });
        for (const e of sub.history) if (matches(e, filters)) out.write(JSON.stringify(legacy(e)) + '\n');
        if (until !== undefined) {
          const ms = until * 1000 - Date.now();
          if (ms <= 0) { finish(); return; }
          untilTimer = setTimeout(finish, ms);
        }
        x.signal.addEventListener('abort', finish, { once: true });
      });
    } },
  ];
}

