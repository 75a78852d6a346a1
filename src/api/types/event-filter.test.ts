import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventMessage } from './system.ts';
import { matchesEvent, validateEventFilters } from './event-filter.ts';

function ev(Type: string, Action: string, ID: string, Attributes: Record<string, string> = {}): EventMessage {
  return { Type, Action, Actor: { ID, Attributes }, scope: 'local', time: 1, timeNano: 1e9 };
}

const start = ev('container', 'start', 'abc123', { name: 'web', image: 'busybox:latest', tier: 'front' });
const exec = ev('container', 'exec_start: sh -c true', 'abc123', { name: 'web', image: 'busybox:latest', execID: 'e1' });
const tag = ev('image', 'tag', 'sha256:feed', { name: 'busybox:latest' });
const net = ev('network', 'connect', 'net42', { name: 'backend', container: 'abc123', type: 'bridge' });
const vol = ev('volume', 'create', 'data', { driver: 'local' });
const daemon = ev('daemon', 'reload', 'DAEMONID', { name: 'host1' });

const cases: [string, Record<string, string[]>, EventMessage[]][] = [
  ['no filter', {}, [start, exec, tag, net, vol, daemon]],
  ['type', { type: ['network', 'volume'] }, [net, vol]],
  ['container by name and id prefix', { container: ['web'] }, [start, exec]],
  ['container by id prefix', { container: ['abc'] }, [start, exec]],
  ['event exact', { event: ['start'] }, [start]],
  ['exec_start matches with its command', { event: ['exec_start'] }, [exec]],
  ['image by name, by name without tag, by id', { image: ['busybox'] }, [start, exec, tag]],
  ['image by id', { image: ['sha256:feed'] }, [tag]],
  ['label', { label: ['tier=front'] }, [start]],
  ['label key only', { label: ['execID'] }, [exec]],
  ['network by name', { network: ['backend'] }, [net]],
  ['volume', { volume: ['data'] }, [vol]],
  ['daemon', { daemon: ['host1'] }, [daemon]],
  ['keys combine', { type: ['container'], event: ['start', 'die'] }, [start]],
];
for (const [name, f, want] of cases) {
  test(`event filter: ${name}`, () => {
    assert.deepEqual([start, exec, tag, net, vol, daemon].filter((e) => matchesEvent(e, f)), want);
  });
}

test('unknown keys and types are refused with Docker\'s wording', () => {
  assert.throws(() => validateEventFilters({ colour: ['red'] }), /^Error: invalid filter 'colour'$|invalid filter 'colour'/);
  assert.throws(() => validateEventFilters({ type: ['thing'] }), /invalid filter 'type=thing'/);
  validateEventFilters({ network: ['x'], volume: ['y'], daemon: ['z'], scope: ['local'] });
});
