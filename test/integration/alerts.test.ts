// Alert rules from daemon.json against a real berthd: a container that exits non-zero is
// POSTed to the webhook (a listener in the test), a clean exit is not; a webhook that is down
// is counted as failed in /metrics while containers and the daemon carry on; bad rules stop
// berthd at start with a clear message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TestDaemon, eventually } from '../support/daemon.ts';

const d = new TestDaemon();
let server: Server;
const received: { rule: string; event: { Action: string; Actor: { Attributes: Record<string, string> } } }[] = [];
let metricsPort = 0;

before(async () => {
  server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => { b += c; });
    req.on('end', () => { received.push(JSON.parse(b)); res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  metricsPort = 20000 + Math.floor(Math.random() * 10000);
  const config = join(d.dir, 'daemon.json');
  writeFileSync(config, JSON.stringify({
    'metrics-addr': `127.0.0.1:${metricsPort}`,
    alerts: [
      { name: 'bad-exit', filters: { type: ['container'], event: ['die'] }, exclude: { exitCode: ['0'] }, webhook: `http://127.0.0.1:${port}/hook` },
      { name: 'nobody-home', filters: { event: ['die'], label: ['berth-test-alert'] }, webhook: 'http://127.0.0.1:9/down', retries: 1, timeout: '1s' },
    ],
  }));
  d.extraArgs = ['--config-file', config];
  await d.start();
  await d.importBusybox();
});
after(async () => { server.close(); await d.stop(); });

test('a non-zero exit reaches the webhook; a clean one does not', async () => {
  assert.equal((await d.docker(['run', '--name', 'berth-test-ok', 'busybox', 'true'])).code, 0);
  assert.equal((await d.docker(['run', '--name', 'berth-test-bad', 'busybox', 'sh', '-c', 'exit 7'])).code, 7);
  const got = await eventually(() => received.find((r) => r.event.Actor.Attributes.name === 'berth-test-bad'), 5000, 100);
  assert.ok(got, 'delivered');
  assert.equal(got.rule, 'bad-exit');
  assert.equal(got.event.Action, 'die');
  assert.equal(got.event.Actor.Attributes.exitCode, '7');
  assert.equal(received.filter((r) => r.event.Actor.Attributes.name === 'berth-test-ok').length, 0);
});

test('a webhook that is down is counted as failed; containers and berthd carry on', async () => {
  const r = await d.docker(['run', '--rm', '-l', 'berth-test-alert=1', 'busybox', 'sh', '-c', 'exit 1']);
  assert.equal(r.code, 1);
  const text = await eventually(async () => {
    const t = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return /berth_alert_deliveries_total\{rule="nobody-home",result="failed"\} 1/.test(t) ? t : null;
  }, 10_000, 200);
  assert.ok(text, 'failed delivery counted');
  assert.match(text, /berth_alert_deliveries_total\{rule="bad-exit",result="delivered"\} [1-9]/);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('a bad rule stops berthd at start with a clear message', async () => {
  const other = new TestDaemon();
  const config = join(other.dir, 'daemon.json');
  writeFileSync(config, JSON.stringify({ alerts: [{ filters: { colour: ['red'] }, webhook: 'http://127.0.0.1:9/' }] }));
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/berthd.js'), '--config-file', config, '--data-root', other.dataRoot, '--exec-root', other.execRoot, '-H', other.host], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /invalid filter 'colour'/);
  await other.stop();
});
