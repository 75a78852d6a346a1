// Detaching leaves the container's stdin open: a later attach can still type into it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TestDaemon } from '../support/daemon.ts';

const d = new TestDaemon();
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); });

function attach(name: string, inputs: string[]): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(d.socket);
    let text = '';
    s.on('connect', () => {
      s.write(`POST /v1.50/containers/${name}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      inputs.forEach((chunk, i) => setTimeout(() => { if (!s.destroyed) s.write(chunk); }, 250 * (i + 1)));
    });
    s.on('data', (b: Buffer) => { text += b.toString('latin1'); });
    s.on('end', () => s.destroy());
    s.on('close', () => resolve(text));
    setTimeout(() => s.destroy(), 4000);
  });
}

test('detach with ctrl-p ctrl-q, attach again, stdin still works', async () => {
  const r = await d.docker(['run', '-d', '-i', '-t', '--name', 'berth-test-tty', 'busybox', 'sh']);
  assert.equal(r.code, 0, r.stderr);
  const first = await attach('berth-test-tty', ['echo first-$((1+1))\n', '\x10\x11']);
  assert.match(first, /first-2/);
  const second = await attach('berth-test-tty', ['echo second-$((2+2))\n', '\x10\x11']);
  assert.match(second, /second-4/);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'berth-test-tty'])).stdout.trim(), 'true');
  await d.docker(['rm', '-f', 'berth-test-tty']);
});
