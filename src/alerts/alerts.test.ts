import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { silentLogger } from '../lib/index.ts';
import type { EventMessage } from '../api/types/index.ts';
import { parseAlertRules, RuleMatcher } from './rules.ts';
import { AlertDispatcher, type DeliveryResult } from './dispatcher.ts';

const ev = (action: string, attrs: Record<string, string> = {}, id = 'c1'): EventMessage =>
  ({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { name: 'web', ...attrs } }, scope: 'local', time: 1, timeNano: 1 } as EventMessage);

test('rules: filters, exclusions and thresholds', () => {
  const [die, loop] = parseAlertRules([
    { name: 'bad-exit', filters: { event: ['die'] }, exclude: { exitCode: ['0'] }, webhook: 'http://127.0.0.1:1/hook' },
    { name: 'loop', filters: { event: ['restart'] }, threshold: { count: 3, window: '60s' }, webhook: 'http://127.0.0.1:1/hook' },
  ]);
  const m = new RuleMatcher(die!);
  assert.equal(m.match(ev('die', { exitCode: '3' })), true);
  assert.equal(m.match(ev('die', { exitCode: '0' })), false);
  assert.equal(m.match(ev('start')), false);
  const l = new RuleMatcher(loop!);
  assert.deepEqual([l.match(ev('restart'), 0), l.match(ev('restart'), 1000), l.match(ev('restart', {}, 'c2'), 1500), l.match(ev('restart'), 2000)], [false, false, false, true]);
  assert.equal(l.match(ev('restart'), 100_000), false, 'the window starts again after firing');
});

test('bad rules are refused with clear messages', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /alerts: a list of rules/],
    [[{ filters: {} }], /"webhook" \(an http or https URL\) is required/],
    [[{ webhook: 'nope' }], /invalid webhook URL "nope"/],
    [[{ webhook: 'ftp://x/' }], /must be http or https/],
    [[{ webhook: 'http://x/', filters: { colour: ['red'] } }], /invalid filter 'colour'/],
    [[{ webhook: 'http://x/', threshold: { count: 0, window: '1s' } }], /threshold.count/],
    [[{ webhook: 'http://x/', threshold: { count: 2, window: 'soon' } }], /threshold.window: a duration/],
  ];
  for (const [raw, re] of cases) assert.throws(() => parseAlertRules(raw), re, JSON.stringify(raw));
});

test('the dispatcher retries a failing webhook and reports each outcome', async () => {
  let calls = 0;
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => { b += c; });
    req.on('end', () => { calls++; bodies.push(JSON.parse(b)); res.writeHead(calls < 3 ? 500 : 200).end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const results: [string, DeliveryResult][] = [];
  const done = new Promise<void>((resolve) => {
    const d = new AlertDispatcher({
      rules: parseAlertRules([{ name: 'oom', filters: { event: ['oom'] }, webhook: `http://127.0.0.1:${port}/hook`, retries: 4 },
        { name: 'dead', filters: { event: ['die'] }, webhook: 'http://127.0.0.1:9/', retries: 1, timeout: '1s' }]),
      log: silentLogger, backoffMs: 10, onResult: (rule, result) => { results.push([rule, result]); if (results.length === 2) resolve(); },
    });
    d.onEvent(ev('oom'));
    d.onEvent(ev('die', { exitCode: '1' }));
    d.onEvent(ev('start'));
  });
  await done;
  server.close();
  assert.deepEqual(results.sort(), [['dead', 'failed'], ['oom', 'delivered']]);
  assert.equal(calls, 3);
  assert.deepEqual((bodies[0] as { rule: string; event: { Action: string } }).rule, 'oom');
});
