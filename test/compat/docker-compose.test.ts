// docker-compose 1.29 (Debian) against berthd: a two-service project on its own network,
// the second service reaching the first by its service name through the embedded DNS, a
// published port, and `down` removing containers and network.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDaemon, eventually } from '../support/daemon.ts';

const COMPOSE = '/usr/bin/docker-compose';
const skip = existsSync(COMPOSE) ? false : `needs ${COMPOSE} (make deps installs docker-compose)`;
if (skip) console.log(`# skipping docker-compose tests: ${skip}`);

describe('docker-compose against berthd', { skip }, () => {
  const d = new TestDaemon();
  const project = `berthtest${d.firewallTable.slice(-4)}`;
  let dir = '';

  function compose(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      const p = spawn(COMPOSE, ['-p', project, ...args], { cwd: dir, env: { ...process.env, DOCKER_HOST: d.host, COMPOSE_INTERACTIVE_NO_CLI: '1' } });
      let out = '';
      p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      p.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
      p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, out }); });
    });
  }

  before(async () => {
    await d.start();
    await d.importBusybox();
    dir = join(d.dir, 'project');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), `version: "3.8"
services:
  web:
    image: busybox:latest
    command: sh -c 'echo hello-compose > /tmp/index.html; exec httpd -f -p 80 -h /tmp'
    ports: ["18496:80"]
    stop_grace_period: 1s
  client:
    image: busybox:latest
    command: sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://web/ && break; sleep 0.3; done; sleep 300'
    depends_on: [web]
    stop_grace_period: 1s
`);
  });
  after(async () => { await d.stop(); });

  test('up, service names resolve, published port, ps, logs, down', async () => {
    const up = await compose(['up', '-d']);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, new RegExp(`Creating network "${project}_default"`));
    const logs = await eventually(async () => { const l = await compose(['logs', 'client']); return l.out.includes('hello-compose') ? l : null; }, 10_000, 300);
    assert.ok(logs, 'the client reached the web service by its name');
    const ps = await compose(['ps']);
    assert.match(ps.out, /0\.0\.0\.0:18496->80\/tcp/);
    const r = await fetch('http://127.0.0.1:18496/');
    assert.equal((await r.text()).trim(), 'hello-compose');
    const down = await compose(['down']);
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, new RegExp(`Removing network ${project}_default`));
    const nets = (await d.api('GET', '/networks')).json as { Name: string }[];
    assert.deepEqual(nets.map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
    const ctrs = (await d.api('GET', '/containers/json?all=1')).json as unknown[];
    assert.equal(ctrs.length, 0);
  });
});
