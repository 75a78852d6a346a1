// RUN --mount=type=cache directories in `system df` (BuildKit's exec.cachemount records) and
// `builder prune`; a build waiting for a sharing=locked cache gives up when its client hangs up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestDaemon, type RunResult } from '../support/daemon.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-build-cm-');
const ENV = { DOCKER_BUILDKIT: '0' };
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function build(args: string[]): Promise<RunResult> {
  return d.docker(['build', ...args], { env: ENV, timeoutMs: 120_000 });
}

interface Rec { ID: string; Type: string; Description: string; Size: number; InUse: boolean; UsageCount: number }
async function buildCache(): Promise<Rec[]> {
  const r = await d.api('GET', '/system/df?type=build-cache');
  assert.equal(r.status, 200, r.body);
  return (r.json as { BuildCache: Rec[] }).BuildCache;
}

test('cache mounts are listed by system df (exec.cachemount) and cleared by builder prune', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox:latest\nRUN --mount=type=cache,id=berth-test-df,target=/cache head -c 200000 /dev/zero > /cache/blob\n' });
  const b = await build(['-t', 'berth-test-cm:1', ctx]);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  const mounts = (await buildCache()).filter((r) => r.Type === 'exec.cachemount');
  assert.equal(mounts.length, 1, JSON.stringify(mounts));
  assert.ok(mounts[0]!.Size >= 200_000, JSON.stringify(mounts[0]));
  assert.equal(mounts[0]!.InUse, false);
  assert.equal(mounts[0]!.UsageCount, 1);
  assert.equal(mounts[0]!.Description, 'cached mount /cache from exec /bin/sh -c head -c 200000 /dev/zero > /cache/blob with id "berth-test-df"');
  assert.ok((await buildCache()).some((r) => r.Type === 'regular'));
  // The docker CLI shows it.
  const df = await d.docker(['system', 'df', '-v']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /exec\.cachemount/);
  // Pruning only cache mounts leaves the step cache.
  const p = await d.docker(['builder', 'prune', '-f', '--filter', 'type=exec.cachemount']);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, new RegExp(mounts[0]!.ID));
  assert.match(p.stdout, /Total reclaimed space: (19\d|2\d\d)/);
  const left = await buildCache();
  assert.equal(left.filter((r) => r.Type === 'exec.cachemount').length, 0);
  assert.ok(left.some((r) => r.Type === 'regular'));
  // The next build's cache starts empty again; a full prune clears everything.
  const again = context({ Dockerfile: 'FROM busybox:latest\nRUN --mount=type=cache,id=berth-test-df,target=/cache ls /cache | wc -l > /n\n' });
  const b2 = await build(['-t', 'berth-test-cm:2', again]);
  assert.equal(b2.code, 0, b2.stderr);
  assert.equal((await d.docker(['run', '--rm', 'berth-test-cm:2', 'cat', '/n'])).stdout.trim(), '0');
  assert.equal((await d.docker(['builder', 'prune', '-af'])).code, 0);
  assert.deepEqual(await buildCache(), []);
  assert.equal((await d.docker(['builder', 'prune', '-f', '--filter', 'type=nonsense'])).code !== 0, true);
});

test('a build waiting on a sharing=locked cache mount is cancelled when its client hangs up', async () => {
  const mount = '--mount=type=cache,id=berth-test-locked,target=/c,sharing=locked';
  const holder = context({ Dockerfile: `FROM busybox:latest\nRUN ${mount} sh -c 'echo holder > /c/who; sleep 4'\n` });
  const waiter = context({ Dockerfile: `FROM busybox:latest\nRUN ${mount} cat /c/who\n` });
  const sinceMs = Date.now();
  const since = Math.floor(sinceMs / 1000);
  const env = { ...process.env, ...ENV, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const start = (ctx: string): { out: () => string; done: Promise<number | null>; kill: () => void } => {
    const child = spawn('/usr/local/bin/docker', ['build', '--no-cache', ctx], { env });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const done = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    return { out: () => out, done, kill: () => child.kill('SIGKILL') };
  };
  const a = start(holder);
  try {
    for (let i = 0; i < 200 && !/Running in/.test(a.out()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(a.out(), /Running in/);
    const b = start(waiter);
    for (let i = 0; i < 100 && !/Step 2\/2/.test(b.out()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(b.out(), /Step 2\/2/);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(b.out(), /Running in/, 'the waiter must still be waiting for the lock');
    b.kill();
    await b.done;
    assert.equal(await a.done, 0, a.out());
  } finally {
    a.kill();
  }
  // The waiter never ran: one RUN container was created in all (the holder's).
  const until = Math.floor(Date.now() / 1000) + 1;
  const ev = await d.api('GET', `/events?since=${since}&until=${until}&filters=${encodeURIComponent(JSON.stringify({ type: ['container'], event: ['create'] }))}`);
  assert.equal(ev.status, 200, ev.body);
  const creates = ev.body.split('\n').filter((l) => l.includes('io.berth.build-step'))
    .filter((l) => (JSON.parse(l) as { timeNano: number }).timeNano / 1e6 >= sinceMs);
  assert.equal(creates.length, 1, ev.body);
  // No leftovers, and the lock is free: a third build takes it at once.
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
  const c = context({ Dockerfile: `FROM busybox:latest\nRUN ${mount} cat /c/who > /who\n` });
  const t0 = Date.now();
  const r = await build(['-t', 'berth-test-cm:3', c]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(Date.now() - t0 < 30_000);
  assert.equal((await d.docker(['run', '--rm', 'berth-test-cm:3', 'cat', '/who'])).stdout, 'holder\n');
  assert.ok(!(await buildCache()).some((x) => x.InUse), 'no cache mount is left in use');
});
