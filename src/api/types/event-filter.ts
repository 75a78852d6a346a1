// Docker's /events filters (moby daemon/events/filter.go Filter.Include): every key narrows
// the stream; several values of one key are alternatives. container, network, volume,
// daemon, plugin, node, service, secret and config match the actor's id or name by prefix;
// image matches the id or image name, with or without tag; label matches the attributes;
// event is exact, except health_status/exec_create/exec_start which match as prefixes
// ("exec_start" matches "exec_start: sh -c …").
import { InvalidArgumentError } from '../../lib/index.ts';
import type { EventMessage } from './system.ts';

export const EVENT_FILTER_KEYS: ReadonlySet<string> = new Set([
  'config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service',
  'type', 'volume',
]);

const NAMED_TYPES = ['container', 'network', 'volume', 'daemon', 'plugin', 'node', 'service', 'secret', 'config'];
const FUZZY_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

export function validateEventFilters(f: Record<string, string[]>): void {
  for (const k of Object.keys(f)) if (!EVENT_FILTER_KEYS.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  for (const t of f.type ?? []) {
    if (!['builder', 'config', 'container', 'daemon', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'volume'].includes(t)) {
      throw new InvalidArgumentError(`invalid filter 'type=${t}'`);
    }
  }
}

const stripTag = (ref: string): string => {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
};

function fuzzy(vals: string[] | undefined, ...candidates: (string | undefined)[]): boolean {
  if (!vals || vals.length === 0) return true;
  return vals.some((v) => candidates.some((c) => c !== undefined && c !== '' && c.startsWith(v)));
}

export function matchesEvent(e: EventMessage, f: Record<string, string[]>): boolean {
  const attr = e.Actor.Attributes;
  if (f.type?.length && !f.type.includes(e.Type)) return false;
  if (f.scope?.length && !f.scope.includes(e.scope)) return false;
  if (f.event?.length) {
    const fuzzyActions = f.event.some((v) => FUZZY_ACTIONS.has(v));
    if (!f.event.some((v) => (fuzzyActions ? e.Action.startsWith(v) : e.Action === v))) return false;
  }
  for (const t of NAMED_TYPES) {
    // moby matches the actor whatever the event's type (so container=x also drops image events).
    if (f[t]?.length && !fuzzy(f[t], e.Actor.ID, attr.name)) return false;
  }
  if (f.image?.length) {
    const name = e.Type === 'image' ? attr.name : attr.image;
    const cands = [e.Actor.ID, name, stripTag(e.Actor.ID), name === undefined ? undefined : stripTag(name)];
    if (!f.image.some((v) => cands.includes(v))) return false;
  }
  if (f.label?.length) {
    for (const l of f.label) {
      const i = l.indexOf('=');
      if (i < 0 ? !(l in attr) : attr[l.slice(0, i)] !== l.slice(i + 1)) return false;
    }
  }
  return true;
}
