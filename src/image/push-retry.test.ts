import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRetries } from './push-retry.ts';

const unavailable = (): Error => Object.assign(new Error('received unexpected HTTP status: 500'), { kind: 'unavailable' });
const refused = (): Error => Object.assign(new Error('unauthorized'), { kind: 'unauthorized' });

test('withRetries: table of attempt outcomes', async () => {
  const cases: { name: string; outcomes: ('ok' | 'down' | 'refused')[]; want: 'ok' | RegExp; calls: number; retries: number }[] = [
    { name: 'first try', outcomes: ['ok'], want: 'ok', calls: 1, retries: 0 },
    { name: 'one 5xx then ok', outcomes: ['down', 'ok'], want: 'ok', calls: 2, retries: 1 },
    { name: 'down every time: gives up after the last delay', outcomes: ['down', 'down', 'down', 'down'], want: /500/, calls: 4, retries: 3 },
    { name: 'a refusal is not retried', outcomes: ['refused', 'ok'], want: /unauthorized/, calls: 1, retries: 0 },
  ];
  for (const c of cases) {
    let calls = 0;
    const statuses: string[] = [];
    const run = withRetries(async () => {
      const o = c.outcomes[calls++];
      if (o === 'down') throw unavailable();
      if (o === 'refused') throw refused();
      return 'ok';
    }, 'abc', (m) => statuses.push(String(m.status)), [1, 1, 1]);
    if (c.want === 'ok') assert.equal(await run, 'ok', c.name);
    else await assert.rejects(run, c.want, c.name);
    assert.equal(calls, c.calls, c.name);
    assert.equal(statuses.filter((s) => s === 'Retrying in 1 second').length, c.retries, c.name);
  }
});
