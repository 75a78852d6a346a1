// docker build (the classic builder, DOCKER_BUILDKIT=0) against a real berthd: every
// instruction, multi-stage builds, the cache, .dockerignore, build args, COPY flags, bad
// input. Each built image is run afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { TestDaemon, type RunResult } from '../support/daemon.ts';

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-build-');
const ENV = { DOCKER_BUILDKIT: '0' };
before(async () => { await d.start(); await d.importBusybox(); });
after(async () => { await d.stop(); rmSync(tmp, { recursive: true, force: true }); });

let ctxN = 0;
function context(files: Record<string, string>): string {
  const dir = join(tmp, `ctx${ctxN++}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function build(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return d.docker(['build', ...args], { env: ENV, timeoutMs });
}

async function run(image: string, script: string): Promise<string> {
  const r = await d.docker(['run', '--rm', image, 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function inspect(ref: string): Promise<{ Id: string; Config: Record<string, unknown>; RootFS: { Layers: string[] }; Author: string }> {
  const r = await d.api('GET', `/images/${ref}/json`);
  assert.equal(r.status, 200, r.body);
  return r.json as never;
}

test('build, run, and a fully cached rebuild ("Using cache", same id)', async () => {
  const ctx = context({
    'index.html': 'hello berth\n',
    Dockerfile: 'FROM busybox:latest\nARG GREETING=hi\nENV APP=/app\nWORKDIR $APP\nCOPY index.html .\nRUN echo "$GREETING from run" > run.txt\nCMD ["cat", "/app/index.html"]\n',
  });
  const first = await build(['-t', 'berth-test-app:v1', ctx]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /Step 1\/7 : FROM busybox:latest/);
  assert.match(first.stdout, /Step 6\/7 : RUN echo/);
  assert.match(first.stdout, /---> Running in [0-9a-f]{12}/);
  assert.match(first.stdout, /Successfully built [0-9a-f]{12}/);
  assert.match(first.stdout, /Successfully tagged berth-test-app:v1/);
  assert.doesNotMatch(first.stdout, /Using cache/);
  const id = (await inspect('berth-test-app:v1')).Id;

  const second = await build(['-t', 'berth-test-app:v1', ctx]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.match(/Using cache/g)?.length, 6, second.stdout);
  assert.doesNotMatch(second.stdout, /Running in/);
  assert.equal((await inspect('berth-test-app:v1')).Id, id);

  // The image runs, with its CMD, workdir and files.
  const r = await d.docker(['run', '--rm', 'berth-test-app:v1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello berth\n');
  assert.equal(await run('berth-test-app:v1', 'pwd; cat run.txt; test -e /etc/hosts.x || echo ok'), '/app\nhi from run\nok\n');
  // History as Docker writes it.
  const h = (await d.api('GET', '/images/berth-test-app:v1/history')).json as { CreatedBy: string }[];
  const by = h.map((x) => x.CreatedBy);
  assert.equal(by[0], '/bin/sh -c #(nop)  CMD ["cat" "/app/index.html"]');
  assert.equal(by[1], '|1 GREETING=hi /bin/sh -c echo "$GREETING from run" > run.txt');
  assert.match(by[2]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \. $/);
  assert.equal(by[3], '/bin/sh -c #(nop) WORKDIR /app');
  assert.equal(by[4], '/bin/sh -c #(nop)  ENV APP=/app');
  // Nothing of the RUN container's mount points (/etc/hosts…) leaked into the RUN layer.
  assert.equal(await run('berth-test-app:v1', 'ls /app | tr "\\n" " "'), 'index.html run.txt ');
});

test('changing one copied file re-runs only the steps from that COPY on', async () => {
  const ctx = context({
    'a.txt': 'one\n',
    'b.txt': 'b\n',
    Dockerfile: 'FROM busybox:latest\nRUN echo first > /first\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\nCOPY b.txt /b.txt\n',
  });
  assert.equal((await build(['-t', 'berth-test-partial', ctx])).code, 0);
  writeFileSync(join(ctx, 'a.txt'), 'two\n');
  const r = await build(['-t', 'berth-test-partial', ctx]);
  assert.equal(r.code, 0, r.stderr);
  const steps = r.stdout.split(/Step \d+\/5 : /).slice(1);
  assert.match(steps[1]!, /Using cache/); // RUN echo first
  assert.doesNotMatch(steps[2]!, /Using cache/); // COPY a.txt
  assert.doesNotMatch(steps[3]!, /Using cache/);
  assert.doesNotMatch(steps[4]!, /Using cache/);
  assert.equal(await run('berth-test-partial', 'cat /copy'), 'two\n');
  // mtime alone does not miss the cache
  execFileSync('touch', ['-d', '2001-01-01', join(ctx, 'a.txt')]);
  const again = await build(['-t', 'berth-test-partial', ctx]);
  assert.equal(again.stdout.match(/Using cache/g)?.length, 4, again.stdout);
  // --no-cache runs everything
  const nc = await build(['--no-cache', '-t', 'berth-test-partial', ctx]);
  assert.equal(nc.code, 0);
  assert.doesNotMatch(nc.stdout, /Using cache/);
});

test('multi-stage: COPY --from a stage by name and index, unused stages skipped, --target', async () => {
  const ctx = context({
    Dockerfile: [
      'FROM busybox:latest AS builder',
      'RUN mkdir /out && echo built > /out/artifact',
      'FROM busybox:latest AS unused',
      'RUN exit 1',
      'FROM busybox:latest AS second',
      'RUN echo second > /s',
      'FROM busybox:latest',
      'COPY --from=builder /out/artifact /artifact',
      'COPY --from=2 /s /s',
      'CMD ["cat", "/artifact", "/s"]',
    ].join('\n'),
  });
  const r = await build(['-t', 'berth-test-multi', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /RUN exit 1/);
  const out = await d.docker(['run', '--rm', 'berth-test-multi']);
  assert.equal(out.stdout, 'built\nsecond\n');
  const t = await build(['--target', 'second', '-t', 'berth-test-multi-second', ctx]);
  assert.equal(t.code, 0, t.stderr);
  assert.doesNotMatch(t.stdout, /COPY --from/);
  assert.equal(await run('berth-test-multi-second', 'cat /s'), 'second\n');
  const bad = await build(['--target', 'nosuch', ctx]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to reach build target nosuch in Dockerfile/);
});

test('.dockerignore: patterns, exceptions, and the Dockerfile still readable', async () => {
  const ctx = context({
    '.dockerignore': '*.log\n!keep.log\nsecret/\n**/*.tmp\nDockerfile\n',
    'app.log': 'x', 'keep.log': 'k', 'secret/key': 's', 'src/a.tmp': 't', 'src/main.c': 'm', 'README': 'r',
    Dockerfile: 'FROM busybox:latest\nCOPY . /ctx/\n',
  });
  const r = await build(['-t', 'berth-test-ignore', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await run('berth-test-ignore', 'cd /ctx && find . -type f | sort | tr "\\n" " "'), './.dockerignore ./README ./keep.log ./src/main.c ');
});

test('build args: ARG before FROM, --build-arg overrides, defaults, unused args warned', async () => {
  const ctx = context({
    Dockerfile: 'ARG BASE=busybox\nARG TAG=latest\nFROM ${BASE}:${TAG}\nARG TAG\nARG NAME=world\nARG UNSET\nENV FROM_ENV=${NAME:-x}-${UNSET:-def}\nRUN echo "$NAME $TAG ${UNSET:+set}" > /args\n',
  });
  const r = await build(['--build-arg', 'NAME=berth', '--build-arg', 'EXTRA=1', '-t', 'berth-test-args', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\[Warning\] One or more build-args \[EXTRA\] were not consumed/);
  assert.equal(await run('berth-test-args', 'cat /args; echo $FROM_ENV; echo "[$NAME]"'), 'berth latest \nberth-def\n[]\n');
  const h = (await d.api('GET', '/images/berth-test-args/history')).json as { CreatedBy: string }[];
  assert.equal(h[0]!.CreatedBy, '|2 NAME=berth TAG=latest /bin/sh -c echo "$NAME $TAG ${UNSET:+set}" > /args');
  // A different build-arg value misses the cache for the RUN.
  const r2 = await build(['--build-arg', 'NAME=other', '-t', 'berth-test-args', ctx]);
  assert.equal(r2.code, 0);
  assert.equal(await run('berth-test-args', 'cat /args'), 'other latest \n');
  const blank = await build(['--build-arg', 'BASE=', ctx]);
  assert.notEqual(blank.code, 0);
  assert.match(blank.stdout + blank.stderr, /base name \(\$\{BASE\}:\$\{TAG\}\) should not be blank|pull access denied|invalid reference format: :latest \(Dockerfile line 3\)/);
});

test('COPY --chown/--chmod, globs, directories, ADD of a local tar, heredocs', async () => {
  const ctx = context({
    'one.txt': '1', 'two.txt': '2', 'dir/sub/f': 'f', 'dir/g': 'g',
    Dockerfile: [
      'FROM busybox:latest',
      'RUN echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:1000:" >> /etc/group',
      'COPY --chown=app:app *.txt /data/',
      'COPY --chown=1234 --chmod=700 dir /tree',
      'ADD bundle.tar.gz /unpacked/',
      'COPY <<EOF /etc/greeting',
      'hello ${HOSTNAME:-heredoc}',
      'EOF',
      'RUN <<EOS',
      'echo from heredoc > /hd',
      'EOS',
      'COPY --exclude=*.txt --exclude=dir/sub . /excl/',
      'COPY --parents dir/sub/f one.txt /par/',
    ].join('\n'),
  });
  mkdirSync(join(ctx, 'bundle'));
  writeFileSync(join(ctx, 'bundle', 'inside.txt'), 'in');
  chmodSync(join(ctx, 'bundle', 'inside.txt'), 0o640);
  execFileSync('tar', ['-czf', join(ctx, 'bundle.tar.gz'), '-C', join(ctx, 'bundle'), '.']);
  const r = await build(['-t', 'berth-test-copy', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = await run('berth-test-copy', [
    'stat -c "%n %u:%g %a" /data /data/one.txt /data/two.txt /tree /tree/g /tree/sub/f',
    'cat /unpacked/inside.txt; echo; stat -c "%a" /unpacked/inside.txt',
    'cat /etc/greeting /hd',
    'cd /excl && find . -type f | sort | tr "\\n" " "; echo',
    'cd /par && find . -type f | sort | tr "\\n" " "',
  ].join('; '));
  assert.equal(out, [
    '/data 1000:1000 755', '/data/one.txt 1000:1000 644', '/data/two.txt 1000:1000 644',
    '/tree 1234:1234 700', '/tree/g 1234:1234 700', '/tree/sub/f 1234:1234 700',
    'in', '640', 'hello heredoc', 'from heredoc',
    './Dockerfile ./bundle.tar.gz ./bundle/inside.txt ./dir/g ',
    './dir/sub/f ./one.txt ',
  ].join('\n'));
});

test('metadata instructions make Docker\'s image config; --label, several -t, -q, --iidfile', async () => {
  const ctx = context({
    Dockerfile: [
      'FROM busybox:latest',
      'MAINTAINER someone@example.com',
      'LABEL org.example.a="one two" b=2',
      'ENV A=1 B="with space"',
      'ENV C $A-c',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME ["/data"]',
      'USER nobody',
      'WORKDIR /srv',
      'WORKDIR sub',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s --retries=2 CMD true',
      'SHELL ["/bin/sh", "-ec"]',
      'ENTRYPOINT echo entry',
      'ONBUILD RUN echo triggered > /tmp/onbuild',
    ].join('\n'),
  });
  const iid = join(tmp, 'iidfile');
  const r = await build(['-q', '--iidfile', iid, '--label', 'extra=yes', '-t', 'berth-test-meta:a', '-t', 'berth-test-meta:b', ctx]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  // With -q the CLI writes what the daemon streamed, newline included (as with dockerd).
  assert.equal(readFileSync(iid, 'utf8').trim(), id);
  const img = await inspect('berth-test-meta:a');
  assert.equal(img.Id, id);
  assert.equal((await inspect('berth-test-meta:b')).Id, id);
  const c = img.Config;
  assert.equal(img.Author, 'someone@example.com');
  assert.deepEqual(c.Labels, { 'org.example.a': 'one two', b: '2', extra: 'yes' });
  assert.deepEqual((c.Env as string[]).filter((e) => !e.startsWith('PATH=')), ['A=1', 'B=with space', 'C=1-c']);
  assert.deepEqual(Object.keys(c.ExposedPorts as object).sort(), ['53/udp', '80/tcp', '8000/tcp', '8001/tcp']);
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.User, 'nobody');
  assert.equal(c.WorkingDir, '/srv/sub');
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(c.Shell, ['/bin/sh', '-ec']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-ec', 'echo entry']);
  assert.equal(c.Cmd, null);
  assert.deepEqual(c.OnBuild, ['RUN echo triggered > /tmp/onbuild']);
  // ONBUILD triggers run in a build FROM this image.
  const child = context({ Dockerfile: 'FROM berth-test-meta:a\nUSER root\n' });
  const cr = await build(['-t', 'berth-test-onbuild', child]);
  assert.equal(cr.code, 0, cr.stdout + cr.stderr);
  assert.match(cr.stdout, /# Executing 1 build trigger/);
  const o = await d.docker(['run', '--rm', '--entrypoint', 'cat', 'berth-test-onbuild', '/tmp/onbuild']);
  assert.equal(o.stdout, 'triggered\n', o.stderr);
  assert.deepEqual((await inspect('berth-test-onbuild')).Config.OnBuild ?? null, null);
});

test('bad input: clear errors with the line, no leftovers, the daemon keeps serving', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ Dockerfile: 'FROM busybox:latest\nFROB x\n' }, /dockerfile parse error on line 2: unknown instruction: FROB/],
    [{ Dockerfile: 'FROM busybox:latest\nRUN echo "unterminated\nCOPY <<EOF /x\n' }, /line 3: unterminated heredoc EOF/],
    [{ Dockerfile: 'FROM busybox:latest\nCOPY missing.txt /\n' }, /COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist \(Dockerfile line 2\)/],
    [{ Dockerfile: 'FROM busybox:latest\nCOPY --from=nostage /x /\n' }, /invalid from flag value nostage/],
    [{ Dockerfile: 'FROM berth-test-no-such-image\n' }, /berth-test-no-such-image/],
    [{ Dockerfile: 'FROM busybox:latest\nRUN --mount=type=nfs,target=/c true\n' }, /unsupported mount type "nfs" \(Dockerfile line 2\)/],
    [{ Dockerfile: '' }, /cannot be empty/],
    [{ Dockerfile: 'FROM busybox:latest\nRUN ["/no/such/binary"]\n' }, /no\/such\/binary/],
    [{ Dockerfile: 'FROM scratch\nRUN true\n' }, /\/bin\/sh/],
    [{ Dockerfile: 'FROM busybox:latest\nCOPY --chown=nosuchuser a /a\n', a: 'x' }, /no such user: nosuchuser/],
    [{ Dockerfile: 'FROM busybox:latest\nRUN --security=insecure true\n' }, /security=insecure is not allowed: berth grants no security.insecure entitlement \(Dockerfile line 2\)/],
    [{ Dockerfile: 'FROM busybox:latest\nCOPY --checksum=sha256:00 a /a\n', a: 'x' }, /unknown flag: checksum/],
    [{ Dockerfile: 'FROM busybox:latest\nADD --checksum=sha256:00 a /a\n', a: 'x' }, /checksum can't be specified for non-HTTP\(S\) sources/],
  ];
  for (const [files, re] of cases) {
    const r = await build([context(files)]);
    assert.notEqual(r.code, 0, JSON.stringify(files));
    assert.match(r.stdout + r.stderr, re);
  }
  // A failing RUN: its output and exit code shown, its container removed.
  const fail = await build([context({ Dockerfile: 'FROM busybox:latest\nRUN echo about to fail && exit 3\n' })]);
  assert.equal(fail.code, 3, fail.stdout + fail.stderr);
  assert.match(fail.stdout, /about to fail/);
  assert.match(fail.stderr, /The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
  const ps = await d.docker(['ps', '-aq']);
  assert.equal(ps.stdout.trim(), '');
  // A body that is not a tar.
  const notTar = await d.api('POST', '/build?t=berth-test-x', 'this is not a tar archive at all'.repeat(40), { 'Content-Type': 'application/x-tar' });
  assert.equal(notTar.status, 400, notTar.body);
  assert.match((notTar.json as { message: string }).message, /build context/);
  // Build temp dirs are gone (removed in the background, shortly after the answer).
  let tmpLeft = 'x';
  for (let i = 0; i < 50 && tmpLeft !== ''; i++) {
    tmpLeft = execFileSync('ls', [join(d.dataRoot, 'build', 'tmp')]).toString();
    if (tmpLeft) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(tmpLeft, '');
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('a client that hangs up mid-build leaves no container behind', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox:latest\nRUN sleep 30\n' });
  const child = (await import('node:child_process')).spawn('/usr/local/bin/docker', ['build', ctx], { env: { ...process.env, ...ENV, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  for (let i = 0; i < 200 && !/Running in/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /Running in/);
  child.kill('SIGKILL');
  let left = 'x';
  for (let i = 0; i < 100 && left !== ''; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = (await d.docker(['ps', '-aq'])).stdout.trim();
  }
  assert.equal(left, '');
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('berth build: the CLI sends the context (ignored files stay home), -f outside it, -q, --iidfile, exit codes', async () => {
  const { spawn } = await import('node:child_process');
  const berth = (args: string[]): Promise<RunResult> => new Promise((resolveP) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../dist/berth.js'), ...args], { env: { ...process.env, BERTH_HOST: d.host } });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolveP({ code: code ?? -1, stdout, stderr }));
  });
  const ctx = context({ '.dockerignore': 'big/\n', 'big/blob': 'x'.repeat(1000), 'keep.txt': 'kept\n' });
  const df = join(tmp, 'outside.Dockerfile');
  writeFileSync(df, 'FROM busybox:latest\nCOPY . /c/\nRUN ls -A /c | grep -v "^.dockerfile" | tr "\\n" " " > /list\n');
  const r = await berth(['build', '-f', df, '-t', 'berth-test-cli-build', ctx]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Step 1\/3 : FROM busybox:latest/);
  assert.match(r.stdout, /Successfully tagged berth-test-cli-build:latest/);
  assert.equal(await run('berth-test-cli-build', 'cat /list'), '.dockerignore keep.txt ');
  const iid = join(tmp, 'cli-iid');
  const q = await berth(['build', '-q', '--iidfile', iid, '-f', df, ctx]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(readFileSync(iid, 'utf8'), q.stdout.trim());
  writeFileSync(df, 'FROM busybox:latest\nRUN exit 5\n');
  const f = await berth(['build', '-f', df, ctx]);
  assert.equal(f.code, 5, f.stdout + f.stderr);
  assert.match(f.stderr, /returned a non-zero code: 5/);
});

test('the cache survives a daemon restart; builder prune clears it; --add-host reaches RUN', async () => {
  const ctx = context({ 'f.txt': 'f', Dockerfile: 'FROM busybox:latest\nCOPY f.txt /f\nRUN grep -q buildhost /etc/hosts && echo ok > /hosts-ok\n' });
  const first = await build(['--add-host', 'buildhost:10.9.8.7', '-t', 'berth-test-persist', ctx]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  await d.stopDaemon();
  await d.start();
  const again = await build(['--add-host', 'buildhost:10.9.8.7', '-t', 'berth-test-persist', ctx]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/Using cache/g)?.length, 2, again.stdout);
  assert.equal(await run('berth-test-persist', 'cat /hosts-ok'), 'ok\n');
  // --filter until=1h keeps records younger than an hour: the cache still hits.
  const young = await d.docker(['builder', 'prune', '-af', '--filter', 'until=1h'], { env: ENV });
  assert.equal(young.code, 0, young.stderr);
  assert.match((await build(['--add-host', 'buildhost:10.9.8.7', '-t', 'berth-test-persist', ctx])).stdout, /Using cache/);
  const badFilter = await d.docker(['builder', 'prune', '-af', '--filter', 'bogus=1'], { env: ENV });
  assert.notEqual(badFilter.code, 0);
  assert.match(badFilter.stderr, /invalid filter 'bogus'/);
  const prune = await d.docker(['builder', 'prune', '-af'], { env: ENV });
  assert.equal(prune.code, 0, prune.stderr);
  const after = await build(['--add-host', 'buildhost:10.9.8.7', '-t', 'berth-test-persist', ctx]);
  assert.equal(after.code, 0, after.stderr);
  assert.doesNotMatch(after.stdout, /Using cache/);
  // The image built before the prune still runs (its layers are the image's, not the cache's).
  assert.equal(await run('berth-test-persist', 'cat /f'), 'f');
});

test('independent stages build at the same time; the output still reads in Dockerfile order', async () => {
  const ctx = context({
    Dockerfile: [
      'FROM busybox:latest AS one',
      'RUN sleep 2 && echo one > /one',
      'FROM busybox:latest AS two',
      'RUN sleep 2 && echo two > /two',
      'FROM busybox:latest',
      'COPY --from=one /one /one',
      'COPY --from=two /two /two',
    ].join('\n'),
  });
  const t0 = Date.now();
  const r = await build(['--no-cache', '-t', 'berth-test-parallel', ctx]);
  const ms = Date.now() - t0;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const steps = [...r.stdout.matchAll(/Step (\d+)\/7 : /g)].map((m) => Number(m[1]));
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7]);
  // Each stage's lines stay together: stage one's RUN result comes before stage two's FROM.
  assert.ok(r.stdout.indexOf('Step 3/7') > r.stdout.indexOf('Removed intermediate container'), r.stdout);
  assert.ok(ms < 3800, `two 2 s stages took ${ms} ms: not built in parallel`);
  assert.equal(await run('berth-test-parallel', 'cat /one /two'), 'one\ntwo\n');
  // A failing stage stops its sibling and reports its own error.
  const bad = context({ Dockerfile: 'FROM busybox:latest AS a\nRUN sleep 20\nFROM busybox:latest AS b\nRUN echo failing-b && exit 4\nFROM busybox:latest\nCOPY --from=a /etc/passwd /a\nCOPY --from=b /etc/passwd /b\n' });
  const t1 = Date.now();
  const f = await build([bad]);
  assert.equal(f.code, 4, f.stdout + f.stderr);
  assert.match(f.stdout, /failing-b/);
  assert.ok(Date.now() - t1 < 15_000, 'the sleeping sibling stage was not stopped');
  let left = 'x';
  for (let i = 0; i < 50 && left !== ''; i++) {
    left = (await d.docker(['ps', '-aq'])).stdout.trim();
    if (left) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(left, '', d.log.split('\n').filter((l) => /"level":(40|50)/.test(l)).slice(-10).join('\n'));
});

test('ADD of a URL downloads it (mode 0600, named after the path); unreachable URLs fail clearly', async () => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/files/data.txt') {
      res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
      res.end('downloaded\n');
    } else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  try {
    const ctx = context({ Dockerfile: `FROM busybox:latest\nADD http://127.0.0.1:${port}/files/data.txt /dl/\n` });
    const r = await build(['-t', 'berth-test-addurl', ctx]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(await run('berth-test-addurl', 'cat /dl/data.txt; stat -c "%a %Y" /dl/data.txt'), 'downloaded\n600 1445412480\n');
    const missing = await build([context({ Dockerfile: `FROM busybox:latest\nADD http://127.0.0.1:${port}/nope /x\n` })]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /failed to download http:\/\/127\.0\.0\.1:\d+\/nope: 404/);
    const unreachable = await build([context({ Dockerfile: 'FROM busybox:latest\nADD http://127.0.0.1:1/x /x\n' })]);
    assert.notEqual(unreachable.code, 0);
    assert.match(unreachable.stderr, /failed to download http:\/\/127\.0\.0\.1:1\/x: .*\(Dockerfile line 2\)/);
    const sum = 'sha256:' + createHash('sha256').update('downloaded\n').digest('hex');
    const good = await build([context({ Dockerfile: `FROM busybox:latest\nADD --checksum=${sum} http://127.0.0.1:${port}/files/data.txt /x\n` })]);
    assert.equal(good.code, 0, good.stderr);
    const wrong = await build([context({ Dockerfile: `FROM busybox:latest\nADD --checksum=sha256:${'0'.repeat(64)} http://127.0.0.1:${port}/files/data.txt /x\n` })]);
    assert.match(wrong.stderr, /digest mismatch/);
    const copyUrl = await build([context({ Dockerfile: `FROM busybox:latest\nCOPY http://127.0.0.1:${port}/files/data.txt /x\n` })]);
    assert.match(copyUrl.stderr, /source can't be a URL for COPY/);
  } finally {
    server.close();
  }
});

test('a daemon killed mid-build removes the build\'s container at its next start', async () => {
  const ctx = context({ Dockerfile: 'FROM busybox:latest\nRUN sleep 30\n' });
  const { spawn } = await import('node:child_process');
  const child = spawn('/usr/local/bin/docker', ['build', ctx], { env: { ...process.env, ...ENV, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  for (let i = 0; i < 200 && !/Running in/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /Running in/);
  await d.kill9();
  child.kill('SIGKILL');
  await d.start();
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
  // and the builder still works
  const r = await build(['-t', 'berth-test-after-crash', context({ Dockerfile: 'FROM busybox:latest\nRUN echo ok > /ok\n' })]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await run('berth-test-after-crash', 'cat /ok'), 'ok\n');
});
