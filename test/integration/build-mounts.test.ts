// RUN --mount (cache, secret, bind, tmpfs), --cache-from and --pull on the classic builder,
// with the real docker CLI (DOCKER_BUILDKIT=0), berth's CLI (--secret) and the raw API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { TestDaemon, type RunResult } from '../support/daemon.ts';
import { TestRegistry } from '../support/registries.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-build-mounts-');
const ENV = { DOCKER_BUILDKIT: '0' };
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

let ctxN = 0;
function context(files: Record<string, string>): string {
  const dir = join(tmp, `ctx${ctxN++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function build(args: string[]): Promise<RunResult> {
  return d.docker(['build', ...args], { env: ENV, timeoutMs: 120_000 });
}

async function run(image: string, script: string): Promise<string> {
  const r = await d.docker(['run', '--rm', image, 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function history(ref: string): Promise<string[]> {
  const r = await d.api('GET', `/images/${ref}/history`);
  assert.equal(r.status, 200, r.body);
  return (r.json as { CreatedBy: string }[]).map((h) => h.CreatedBy);
}

test('RUN --mount=type=cache: persists between builds, is not in the image, BuildKit history', async () => {
  const df = '# syntax=docker/dockerfile:1\nFROM busybox:latest\nARG N\n'
    + 'RUN --mount=type=cache,id=berth-test-cache,target=/cache echo "run $N" >> /cache/log && wc -l < /cache/log > /count\n'
    + 'RUN --mount=type=cache,target=/owned,uid=1000,gid=100,mode=0700 stat -c "%u:%g %a" /owned > /owned.txt\n';
  const ctx = context({ Dockerfile: df });
  const a = await build(['--build-arg', 'N=1', '-t', 'berth-test-cache:1', ctx]);
  assert.equal(a.code, 0, a.stdout + a.stderr);
  const b = await build(['--build-arg', 'N=2', '-t', 'berth-test-cache:2', ctx]);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.equal((await run('berth-test-cache:1', 'cat /count')).trim(), '1');
  assert.equal((await run('berth-test-cache:2', 'cat /count')).trim(), '2');
  assert.equal(await run('berth-test-cache:2', 'cat /owned.txt'), '1000:100 700\n');
  // Neither the cache's content nor its mount points are in the image.
  assert.equal(await run('berth-test-cache:2', 'test -e /cache || test -e /owned || echo absent'), 'absent\n');
  const h = await history('berth-test-cache:2');
  assert.equal(h[1], 'RUN |1 N=2 /bin/sh -c echo "run $N" >> /cache/log && wc -l < /cache/log > /count # buildkit');
  const comments = ((await d.api('GET', '/images/berth-test-cache:2/history')).json as { Comment: string }[]).map((x) => x.Comment);
  assert.equal(comments[1], 'buildkit.dockerfile.v0');
  // A rebuild with the same args is all cache hits; the mount's definition is part of the key.
  const c = await build(['--build-arg', 'N=2', ctx]);
  assert.equal(c.stdout.match(/Using cache/g)?.length, 3, c.stdout);
  const changed = context({ Dockerfile: df.replace('target=/cache', 'target=/cache,sharing=locked') });
  const e = await build(['--build-arg', 'N=2', '-t', 'berth-test-cache:3', changed]);
  assert.equal(e.code, 0, e.stdout + e.stderr);
  assert.equal(e.stdout.match(/Using cache/g)?.length, 1, e.stdout); // only the ARG
  // Same cache id: the third run sees the first two runs' lines.
  assert.equal((await run('berth-test-cache:3', 'cat /count')).trim(), '3');
});

test('RUN --mount=type=secret: readable in RUN, absent from the image, its history and every layer', async () => {
  const value = `berth-test-secret-${Math.random().toString(36).slice(2)}`;
  const secretFile = join(tmp, 'secret.txt');
  writeFileSync(secretFile, value);
  const sum = createHash('sha256').update(value).digest('hex');
  const ctx = context({
    Dockerfile: 'FROM busybox:latest\n'
      + 'RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -c1-64 > /sum\n'
      + 'RUN --mount=type=secret,id=tok,target=/etc/tok.conf,mode=0440,uid=7,gid=8 stat -c "%u:%g %a" /etc/tok.conf > /stat\n'
      + 'RUN --mount=type=secret,id=absent test ! -e /run/secrets/absent && echo skipped > /optional\n'
      + 'COPY . /ctx\n',
    'app.txt': 'app\n',
  });
  const r = await d.cli('berth', ['build', '--secret', `id=tok,src=${secretFile}`, '-t', 'berth-test-secret', ctx], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await run('berth-test-secret', 'cat /sum')).trim(), sum);
  assert.equal(await run('berth-test-secret', 'cat /stat /optional'), '7:8 440\nskipped\n');
  assert.equal(await run('berth-test-secret', 'ls -A /ctx | tr "\\n" " "; test -e /run/secrets || test -e /etc/tok.conf || echo clean'), 'Dockerfile app.txt clean\n');
  const h = await history('berth-test-secret');
  assert.ok(h.every((x) => !x.includes(value)), h.join('\n'));
  assert.equal(h[3], 'RUN /bin/sh -c sha256sum /run/secrets/tok | cut -c1-64 > /sum # buildkit');
  const inspect = await d.api('GET', '/images/berth-test-secret/json');
  assert.ok(!inspect.body.includes(value));
  // Nowhere under the data root: not in a layer dir, a config, a cache record or a log.
  const grep = (() => { try { return execFileSync('grep', ['-rlF', value, d.dataRoot], { encoding: 'utf8' }); } catch (e) { return (e as { stdout?: string }).stdout ?? ''; } })();
  assert.equal(grep, '', `secret found in ${grep}`);
  // required=true without the secret: Docker's wording, with the line.
  const req = context({ Dockerfile: 'FROM busybox:latest\nRUN --mount=type=secret,id=nope,required cat /run/secrets/nope\n' });
  const f = await d.cli('berth', ['build', req], { timeoutMs: 60_000 });
  assert.notEqual(f.code, 0);
  assert.match(f.stdout + f.stderr, /secret nope: not found \(Dockerfile line 2\)/);
  // Through the raw API as well: the sidecar must be named in the secrets parameter.
  const bad = await d.api('POST', '/build?secrets=%5B1%5D', Buffer.alloc(1024));
  assert.equal(bad.status, 400, bad.body);
  assert.match(bad.body, /invalid secrets parameter/);
});

test('RUN --mount=type=bind: from the context (content in the cache key, ro/rw) and from a stage', async () => {
  const ctx = context({
    Dockerfile: 'FROM busybox:latest AS stage\nRUN echo artifact > /artifact\n'
      + 'FROM busybox:latest\n'
      + 'RUN --mount=type=bind,source=src,target=/mnt/src cat /mnt/src/a.txt > /got\n'
      + 'RUN --mount=target=/ctx sh -c "touch /ctx/x 2>/dev/null && echo writable || echo readonly" > /ro\n'
      + 'RUN --mount=target=/ctx,rw sh -c "echo new > /ctx/new && cat /ctx/new" > /rw\n'
      + 'RUN --mount=type=bind,from=stage,source=/artifact,target=/in/artifact cat /in/artifact > /from-stage\n',
    'src/a.txt': 'one\n',
  });
  const a = await build(['-t', 'berth-test-bind', ctx]);
  assert.equal(a.code, 0, a.stdout + a.stderr);
  assert.equal(await run('berth-test-bind', 'cat /got /ro /rw /from-stage'), 'one\nreadonly\nnew\nartifact\n');
  assert.equal(await run('berth-test-bind', 'test -e /mnt || test -e /ctx || test -e /in || echo clean'), 'clean\n');
  // The rw write did not reach the context: a rebuild is all cache (the context did not change).
  const b = await build(['-t', 'berth-test-bind', ctx]);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.doesNotMatch(b.stdout, /Running in/);
  // Changing a file under the bound source runs the steps that mount it again.
  writeFileSync(join(ctx, 'src/a.txt'), 'two\n');
  const c = await build(['-t', 'berth-test-bind', ctx]);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /Step 4\/7 : RUN --mount=type=bind,source=src[^\n]*\n ---> Running in/);
  assert.equal(await run('berth-test-bind', 'cat /got'), 'two\n');
  const missing = context({ Dockerfile: 'FROM busybox:latest\nRUN --mount=source=nothere,target=/x true\n' });
  const m = await build([missing]);
  assert.notEqual(m.code, 0);
  assert.match(m.stdout + m.stderr, /"\/nothere": not found \(Dockerfile line 2\)/);
});

test('RUN --mount=type=tmpfs: a tmpfs during the step, nothing in the layer', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox:latest\nRUN --mount=type=tmpfs,target=/scratch,size=8m sh -c \'grep " /scratch " /proc/mounts | cut -d" " -f3 > /fstype; echo x > /scratch/f\'\n' });
  const r = await build(['-t', 'berth-test-tmpfs', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await run('berth-test-tmpfs', 'cat /fstype; test -e /scratch || echo clean'), 'tmpfs\nclean\n');
});

test('--cache-from: steps come from a local image\'s history after the build cache was pruned', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox:latest\nENV A=1\nCOPY f /f\nRUN echo built > /built\nCMD ["cat", "/built"]\n', f: 'file\n' });
  const a = await build(['-t', 'berth-test-cf:1', ctx]);
  assert.equal(a.code, 0, a.stdout + a.stderr);
  const id = ((await d.api('GET', '/images/berth-test-cf:1/json')).json as { Id: string }).Id;
  const prune = async (): Promise<void> => { const p = await d.docker(['builder', 'prune', '-af']); assert.equal(p.code, 0, p.stderr); };
  await prune();
  const b = await build(['--cache-from', 'berth-test-cf:1', '--cache-from', 'berth-test-no-such-image', '-t', 'berth-test-cf:2', ctx]);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.equal(b.stdout.match(/Using cache/g)?.length, 4, b.stdout);
  assert.doesNotMatch(b.stdout, /Running in/);
  assert.equal(((await d.api('GET', '/images/berth-test-cf:2/json')).json as { Id: string }).Id, id);
  // A changed file: the steps before it still come from the source, the rest run.
  writeFileSync(join(ctx, 'f'), 'changed\n');
  await prune();
  const c = await build(['--cache-from', 'berth-test-cf:1', ctx]);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.equal(c.stdout.match(/Using cache/g)?.length, 1, c.stdout);
  assert.match(c.stdout, /Running in/);
  // Without --cache-from a pruned cache means the steps run.
  writeFileSync(join(ctx, 'f'), 'file\n');
  await prune();
  const e = await build([ctx]);
  assert.equal(e.code, 0, e.stdout + e.stderr);
  assert.doesNotMatch(e.stdout, /Using cache/);
});

test('--pull: the FROM image is pulled even when local; an unreachable registry fails the build', async () => {
  const ref = 'localhost:1/berth-test-pull:latest';
  assert.equal((await d.docker(['tag', 'busybox:latest', ref])).code, 0);
  const ctx = context({ Dockerfile: `FROM ${ref}\nRUN true\n` });
  const ok = await build(['-t', 'berth-test-pull-ok', ctx]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const r = await build(['--pull', '-t', 'berth-test-pull-fail', ctx]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /Step 1\/2 : FROM localhost:1\/berth-test-pull:latest/);
  assert.match(r.stderr, /localhost:1.*connection refused/);
  assert.doesNotMatch(r.stdout, /Successfully built/);
  assert.equal((await d.api('GET', '/images/berth-test-pull-fail/json')).status, 404);
});

test('--pull replaces a stale local FROM image with the registry\'s; a missing one is pulled', async () => {
  const reg = new TestRegistry('berth');
  await reg.start();
  try {
    const ref = `${reg.addr}/berth-test/base:v1`;
    assert.equal((await d.docker(['tag', 'busybox:latest', ref])).code, 0);
    const push = await d.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    // The local tag now names another image (with /stale): only --pull sees the registry's.
    const stale = await build(['-t', ref, context({ Dockerfile: 'FROM busybox:latest\nRUN touch /stale\n' })]);
    assert.equal(stale.code, 0, stale.stdout + stale.stderr);
    const ctx = context({ Dockerfile: `FROM ${ref}\nRUN test ! -e /stale\n` });
    const local = await build([ctx]);
    assert.notEqual(local.code, 0, 'the stale local image was expected');
    const pulled = await build(['--pull', '-t', 'berth-test-pulled', ctx]);
    assert.equal(pulled.code, 0, pulled.stdout + pulled.stderr);
    assert.match(pulled.stdout, /v1: Pulling from berth-test\/base/);
    assert.match(pulled.stdout, /Successfully built/);
    // Not there at all: pulled without --pull, as dockerd does.
    assert.equal((await d.docker(['rmi', ref])).code, 0);
    const again = await build([ctx]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Pulling from berth-test\/base/);
  } finally {
    await reg.stop();
  }
});
