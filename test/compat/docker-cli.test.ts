// The real docker CLI 28 against berthd, verb by verb: output, exit codes and error wording
// as users see them.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TestDaemon, DOCKER, missingTools, eventually, sleep } from '../support/daemon.ts';

const skip = missingTools(DOCKER);
if (skip) console.log(`# skipping docker CLI compatibility tests: ${skip}`);

/** A hijacked attach over the raw socket: sends each input after a pause, collects output. */
function rawAttach(socket: string, name: string, query: string, inputs: string[]): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve) => {
    const s = connect(socket);
    let text = '';
    let ended = false;
    s.on('connect', () => {
      s.write(`POST /v1.50/containers/${name}/attach?stream=1&stdin=1&stdout=1&stderr=1&${query} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
      inputs.forEach((chunk, i) => setTimeout(() => { if (!s.destroyed) s.write(chunk); }, 300 * (i + 1)));
    });
    s.on('data', (b: Buffer) => { text += b.toString('latin1'); });
    s.on('end', () => { ended = true; s.destroy(); });
    s.on('close', () => resolve({ text, ended }));
    setTimeout(() => s.destroy(), 5000);
  });
}

describe('docker CLI 28 against berthd', { skip }, () => {
  const d = new TestDaemon();
  before(async () => { await d.start(); await d.importBusybox(); });
  after(async () => { await d.stop(); });

  test('version and info', async () => {
    const v = await d.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), '1.50 linux');
    const i = await d.docker(['info', '--format', '{{.Driver}} {{.Images}}']);
    assert.equal(i.stdout.trim(), 'overlay2 1');
  });

  test('run --rm prints output and removes the container', async () => {
    const r = await d.docker(['run', '--rm', '--name', 'berth-test-rm', 'busybox', 'echo', 'hello world']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello world\n');
    const ps = await d.docker(['ps', '-a', '-q', '--filter', 'name=berth-test-rm']);
    assert.equal(ps.stdout.trim(), '');
  });

  test('run exit codes: the container\'s, 125, 126, 127', async () => {
    assert.equal((await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 42'])).code, 42);
    const nf = await d.docker(['run', '--rm', 'busybox', 'nosuchcommand']);
    assert.equal(nf.code, 127);
    assert.match(nf.stderr, /executable file not found in \$PATH/);
    assert.equal((await d.docker(['run', '--rm', 'busybox', '/etc/passwd'])).code, 126);
    const bad = await d.docker(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    assert.equal(bad.code, 125);
  });

  test('run with a missing image says so the way docker does', async () => {
    const r = await d.docker(['run', '--rm', 'berth-test-missing:1', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Unable to find image 'berth-test-missing:1' locally/);
  });

  test('stdin, stdout and stderr are separate; -i pipes stdin', async () => {
    const r = await d.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo to-err >&2'], { input: 'from stdin\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'from stdin\n');
    assert.equal(r.stderr, 'to-err\n');
  });

  test('-e, --env-file, -w, -u, --hostname, --entrypoint, labels', async () => {
    const envFile = join(d.dir, 'env.list');
    writeFileSync(envFile, '# comment\nFROM_FILE=yes\n');
    const r = await d.docker(['run', '--rm', '-e', 'A=1', '--env-file', envFile, '-w', '/tmp', '-u', 'www-data', '--hostname', 'berth-host',
      'busybox', 'sh', '-c', 'echo $A $FROM_FILE $(pwd) $(id -un) $(hostname)']);
    assert.equal(r.stdout.trim(), '1 yes /tmp www-data berth-host');
    const u = await d.docker(['run', '--rm', '-u', '1234:5678', 'busybox', 'id']);
    assert.match(u.stdout, /uid=1234 gid=5678/);
    const bad = await d.docker(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'id']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unable to find user nosuchuser/i);
    const ep = await d.docker(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint']);
    assert.equal(ep.stdout.trim(), 'via entrypoint');
    await d.docker(['create', '--name', 'berth-test-labels', '-l', 'tier=web', '--label', 'team=core', 'busybox', 'true']);
    const l = await d.docker(['inspect', '-f', '{{index .Config.Labels "tier"}} {{index .Config.Labels "team"}}', 'berth-test-labels']);
    assert.equal(l.stdout.trim(), 'web core');
    await d.docker(['rm', 'berth-test-labels']);
  });

  test('--init runs the container under an init as PID 1', async () => {
    const r = await d.docker(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /docker-init/);
  });

  test('-t gives a terminal', async () => {
    const r = await d.docker(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'tty; stty size']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\/dev\/pts\/0/);
  });

  test('detached run, ps with filters, -q, --format, --no-trunc, -s', async () => {
    const id = (await d.docker(['run', '-d', '--name', 'berth-test-ps', '-l', 'role=ps', 'busybox', 'sleep', '60'])).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    await d.docker(['create', '--name', 'berth-test-ps-created', 'busybox', 'true']);
    await d.docker(['run', '--name', 'berth-test-ps-exited', 'busybox', 'sh', '-c', 'exit 3']);
    const table = await d.docker(['ps']);
    assert.match(table.stdout.split('\n')[0]!, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.match(table.stdout, new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+"sleep 60"\\s+.*Up .*berth-test-ps`));
    assert.doesNotMatch(table.stdout, /berth-test-ps-created/);
    const q = await d.docker(['ps', '-q', '--filter', 'label=role=ps']);
    assert.equal(q.stdout.trim(), id.slice(0, 12));
    assert.equal((await d.docker(['ps', '-q', '--no-trunc', '--filter', 'name=berth-test-ps$'])).stdout.trim(), id);
    const st = await d.docker(['ps', '-a', '--filter', 'status=created', '--format', '{{.Names}}']);
    assert.equal(st.stdout.trim(), 'berth-test-ps-created');
    const ex = await d.docker(['ps', '-a', '--filter', 'exited=3', '--format', '{{.Names}} {{.Status}}']);
    assert.match(ex.stdout.trim(), /^berth-test-ps-exited Exited \(3\) /);
    const anc = await d.docker(['ps', '-a', '-q', '--filter', 'ancestor=busybox', '--filter', 'name=berth-test-ps']);
    assert.equal(anc.stdout.trim().split('\n').length, 3);
    const before = await d.docker(['ps', '-a', '--format', '{{.Names}}', '--filter', 'before=berth-test-ps-created', '--filter', 'name=berth-test-ps']);
    assert.equal(before.stdout.trim(), 'berth-test-ps');
    const since = await d.docker(['ps', '-a', '--format', '{{.Names}}', '--filter', 'since=berth-test-ps-created', '--filter', 'name=berth-test-ps']);
    assert.equal(since.stdout.trim(), 'berth-test-ps-exited');
    const json = await d.docker(['ps', '--filter', 'name=berth-test-ps$', '--format', '{{json .}}']);
    assert.equal(JSON.parse(json.stdout).Names, 'berth-test-ps');
    await d.docker(['exec', 'berth-test-ps', 'sh', '-c', 'head -c 100000 /dev/zero > /root/blob']);
    const size = await d.docker(['ps', '-s', '--filter', 'name=berth-test-ps$', '--format', '{{.Size}}']);
    assert.match(size.stdout, /^100kB \(virtual \d/);
    const badf = await d.docker(['ps', '--filter', 'status=sleeping']);
    assert.notEqual(badf.code, 0);
    assert.match(badf.stderr, /invalid filter 'status=sleeping'/);
    await d.docker(['rm', '-f', 'berth-test-ps', 'berth-test-ps-created', 'berth-test-ps-exited']);
  });

  test('inspect, logs (tail, timestamps, since, follow), top', async () => {
    await d.docker(['run', '-d', '--name', 'berth-test-logs', 'busybox', 'sh', '-c', 'echo one; echo two >&2; sleep 0.2; echo three; sleep 60']);
    await eventually(async () => (await d.docker(['logs', 'berth-test-logs'])).stdout.includes('three'));
    const logs = await d.docker(['logs', 'berth-test-logs']);
    assert.equal(logs.stdout, 'one\nthree\n');
    assert.equal(logs.stderr, 'two\n');
    const tail = await d.docker(['logs', '--tail', '1', 'berth-test-logs']);
    assert.equal(tail.stdout + tail.stderr, 'three\n');
    const ts = await d.docker(['logs', '-t', 'berth-test-logs']);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n/);
    const future = await d.docker(['logs', '--since', '2999-01-01T00:00:00Z', 'berth-test-logs']);
    assert.equal(future.stdout, '');
    // --since with a timestamp printed by -t includes that very line (nanosecond precision).
    const threeAt = /^(\S+) three$/m.exec(ts.stdout)![1]!;
    const fromThree = await d.docker(['logs', '--since', threeAt, 'berth-test-logs']);
    assert.equal(fromThree.stdout, 'three\n');
    const insp = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Path}}', 'berth-test-logs']);
    assert.equal(insp.stdout.trim(), 'running true /berth-test-logs sh');
    const top = await d.docker(['top', 'berth-test-logs']);
    assert.match(top.stdout, /UID\s+PID\s+PPID/);
    assert.match(top.stdout, /sleep 60/);
    // follow ends when the container stops
    const follow = d.docker(['logs', '-f', 'berth-test-logs'], { timeoutMs: 20_000 });
    await sleep(300);
    await d.docker(['kill', 'berth-test-logs']);
    const f = await follow;
    assert.equal(f.code, 0);
    assert.equal(f.stdout, 'one\nthree\n');
    await d.docker(['rm', 'berth-test-logs']);
  });

  test('exec: exit code, env, user, workdir, tty, inspect', async () => {
    await d.docker(['run', '-d', '--name', 'berth-test-exec', 'busybox', 'sleep', '60']);
    const e = await d.docker(['exec', '-e', 'X=42', '-u', 'nobody', '-w', '/tmp', 'berth-test-exec', 'sh', '-c', 'echo $X $(id -un) $(pwd); exit 9']);
    assert.equal(e.code, 9);
    assert.equal(e.stdout.trim(), '42 nobody /tmp');
    // Every byte of a short exec's output arrives, every time (conmon logs the last output
    // after it reports the exit code).
    for (let i = 0; i < 15; i++) {
      const quick = await d.docker(['exec', 'berth-test-exec', 'sh', '-c', `echo quick-${i}; exit 4`]);
      assert.equal(quick.code, 4);
      assert.equal(quick.stdout, `quick-${i}\n`);
    }
    const t = await d.docker(['exec', '-t', 'berth-test-exec', 'tty']);
    assert.match(t.stdout, /\/dev\/pts\/\d+/);
    const i = await d.docker(['exec', '-i', 'berth-test-exec', 'cat'], { input: 'to exec stdin\n' });
    assert.equal(i.stdout, 'to exec stdin\n');
    const nf = await d.docker(['exec', 'berth-test-exec', 'nosuchcmd']);
    assert.notEqual(nf.code, 0);
    const det = await d.docker(['exec', '-d', 'berth-test-exec', 'sh', '-c', 'echo detached > /tmp/det']);
    assert.equal(det.code, 0);
    await eventually(async () => (await d.docker(['exec', 'berth-test-exec', 'cat', '/tmp/det'])).stdout.includes('detached'));
    await d.docker(['rm', '-f', 'berth-test-exec']);
    const stopped = await d.docker(['exec', 'berth-test-exec', 'true']);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /No such container: berth-test-exec/);
  });

  test('stop (signal then SIGKILL after the timeout), kill -s, restart, wait', async () => {
    await d.docker(['run', '-d', '--name', 'berth-test-stop', 'busybox', 'sh', '-c', 'trap "exit 12" TERM; while true; do sleep 0.1; done']);
    const t0 = Date.now();
    await sleep(300);
    const stop = await d.docker(['stop', 'berth-test-stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(Date.now() - t0 < 5000, 'TERM was handled, no 10 s timeout');
    assert.equal((await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'berth-test-stop'])).stdout.trim(), '12');
    const started = await d.docker(['start', 'berth-test-stop']);
    assert.equal(started.code, 0, started.stderr);
    // A process that ignores TERM is killed after -t seconds.
    await d.docker(['run', '-d', '--name', 'berth-test-stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
    const t1 = Date.now();
    await d.docker(['stop', '-t', '1', 'berth-test-stubborn']);
    assert.ok(Date.now() - t1 >= 1000);
    assert.equal((await d.docker(['inspect', '-f', '{{.State.ExitCode}}', 'berth-test-stubborn'])).stdout.trim(), '137');
    await sleep(300); // let the restarted shell install its trap
    const k = await d.docker(['kill', '-s', 'TERM', 'berth-test-stop']);
    assert.equal(k.code, 0, k.stderr);
    const w = await d.docker(['wait', 'berth-test-stop']);
    assert.equal(w.stdout.trim(), '12');
    const badsig = await d.docker(['kill', '-s', 'NOPE', 'berth-test-stubborn']);
    assert.notEqual(badsig.code, 0);
    await d.docker(['restart', '-t', '1', 'berth-test-stubborn']);
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'berth-test-stubborn'])).stdout.trim(), 'true');
    await d.docker(['rm', '-f', 'berth-test-stop', 'berth-test-stubborn']);
  });

  test('pause and unpause, rename, rm -f', async () => {
    await d.docker(['run', '-d', '--name', 'berth-test-pause', 'busybox', 'sleep', '60']);
    assert.equal((await d.docker(['pause', 'berth-test-pause'])).code, 0);
    assert.match((await d.docker(['ps', '--filter', 'name=berth-test-pause', '--format', '{{.Status}}'])).stdout, /\(Paused\)/);
    const again = await d.docker(['pause', 'berth-test-pause']);
    assert.match(again.stderr, /is already paused/);
    const ex = await d.docker(['exec', 'berth-test-pause', 'true']);
    assert.match(ex.stderr, /is paused, unpause the container before exec/);
    assert.equal((await d.docker(['unpause', 'berth-test-pause'])).code, 0);
    assert.equal((await d.docker(['rename', 'berth-test-pause', 'berth-test-renamed'])).code, 0);
    assert.equal((await d.docker(['inspect', '-f', '{{.Name}}', 'berth-test-renamed'])).stdout.trim(), '/berth-test-renamed');
    const rm = await d.docker(['rm', 'berth-test-renamed']);
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /container is running: stop the container before removing or force remove/);
    assert.equal((await d.docker(['rm', '-f', 'berth-test-renamed'])).code, 0);
  });

  test('attach to a running container, and detach keys', async () => {
    await d.docker(['run', '-d', '-i', '--name', 'berth-test-attach', 'busybox', 'sh', '-c', 'while read l; do echo "got $l"; done']);
    // The CLI (as against dockerd) keeps a non-TTY attach open until the container exits, so
    // stop it once the answer is in.
    const a = await d.docker(['attach', 'berth-test-attach'], { input: 'ping\n', timeoutMs: 2_000 });
    assert.match(a.stdout, /got ping/);
    // Without a TTY the CLI passes detach keys to the daemon, which ends the stream on them.
    const out = await rawAttach(d.socket, 'berth-test-attach', 'detachKeys=ctrl-x', ['one\n', '\x18more\n']);
    assert.match(out.text, /got one/);
    assert.doesNotMatch(out.text, /got more/);
    assert.ok(out.ended, 'the daemon ended the stream on the detach keys');
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'berth-test-attach'])).stdout.trim(), 'true');
    await d.docker(['rm', '-f', 'berth-test-attach']);
  });

  test('restart policy on-failure:N with back-off, and health checks', async () => {
    await d.docker(['run', '-d', '--name', 'berth-test-onfail', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 5']);
    const done = await eventually(async () => {
      const r = await d.docker(['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'berth-test-onfail']);
      return r.stdout.trim() === '2 exited' ? r : null;
    }, 15_000);
    assert.ok(done, 'restarted twice, then stopped');
    await d.docker(['run', '-d', '--name', 'berth-test-health', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '60']);
    const unhealthy = await eventually(async () => (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'berth-test-health'])).stdout.trim() === 'unhealthy', 10_000);
    assert.ok(unhealthy);
    await d.docker(['exec', 'berth-test-health', 'touch', '/tmp/ok']);
    const healthy = await eventually(async () => (await d.docker(['inspect', '-f', '{{.State.Health.Status}}', 'berth-test-health'])).stdout.trim() === 'healthy', 10_000);
    assert.ok(healthy);
    const log = await d.docker(['inspect', '-f', '{{len .State.Health.Log}}', 'berth-test-health']);
    assert.ok(Number(log.stdout.trim()) >= 1);
    assert.match((await d.docker(['ps', '--filter', 'name=berth-test-health', '--format', '{{.Status}}'])).stdout, /\(healthy\)/);
    await d.docker(['rm', '-f', 'berth-test-onfail', 'berth-test-health']);
  });

  test('runc per container', async () => {
    const r = await d.docker(['run', '--rm', '--runtime', 'runc', 'busybox', 'echo', 'from runc']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'from runc\n');
  });

  test('import with --change, tag, images, image inspect, history, rmi', async () => {
    const imp = await d.docker(['import', '-c', 'ENV GREETING=hi', '-c', 'CMD ["sh", "-c", "echo $GREETING"]', '-c', 'WORKDIR /tmp', join(d.dir, '..', 'berth-test-busybox-rootfs.tar'), 'berth-test/app:v1']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    assert.equal((await d.docker(['run', '--rm', 'berth-test/app:v1'])).stdout, 'hi\n');
    assert.equal((await d.docker(['tag', 'berth-test/app:v1', 'berth-test/app:v2'])).code, 0);
    const imgs = await d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.match(imgs.stdout, /berth-test\/app:v1/);
    assert.match(imgs.stdout, /berth-test\/app:v2/);
    const byRepo = await d.docker(['images', 'berth-test/app', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.deepEqual(byRepo.stdout.trim().split('\n').sort(), ['berth-test/app:v1', 'berth-test/app:v2']);
    const byFilter = await d.docker(['images', '-q', '--filter', 'reference=busybox']);
    assert.equal(byFilter.stdout.trim().split('\n').length, 1);
    const table = await d.docker(['images']);
    assert.match(table.stdout.split('\n')[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const insp = await d.docker(['image', 'inspect', '-f', '{{.Config.WorkingDir}} {{.Os}}', 'berth-test/app:v2']);
    assert.equal(insp.stdout.trim(), '/tmp linux');
    const hist = await d.docker(['history', 'berth-test/app:v1']);
    assert.equal(hist.code, 0, hist.stderr);
    await d.docker(['create', '--name', 'berth-test-user', 'berth-test/app:v1']);
    const inUse = await d.docker(['rmi', 'berth-test/app:v1']);
    assert.equal(inUse.code, 0, 'untagging one of two tags is fine');
    const conflict = await d.docker(['rmi', 'berth-test/app:v2']);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict: unable to remove repository reference "berth-test\/app:v2" \(must force\) - container .* is using its referenced image/);
    await d.docker(['rm', 'berth-test-user']);
    const rmi = await d.docker(['rmi', 'berth-test/app:v2']);
    assert.match(rmi.stdout, /Untagged: berth-test\/app:v2/);
    assert.match(rmi.stdout, /Deleted: sha256:/);
    const gone = await d.docker(['image', 'inspect', 'berth-test/app:v2']);
    assert.match(gone.stderr, /No such image: berth-test\/app:v2/);
  });

  test('events stream container lifecycle', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await d.docker(['run', '--rm', '--name', 'berth-test-events', 'busybox', 'true']);
    const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=berth-test-events', '--format', '{{.Action}}']);
    const actions = ev.stdout.trim().split('\n');
    for (const a of ['create', 'attach', 'start', 'die', 'destroy']) assert.ok(actions.includes(a), `${a} in ${actions.join(',')}`);
  });
});
