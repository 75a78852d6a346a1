// The berth CLI and the real docker CLI 28 against the same berthd, verb by verb: stdout,
// stderr and exit codes must match once ids, names and clock-dependent text are masked
// ("3 seconds ago", "Up 2 seconds"), and tables are compared cell by cell (their widths
// follow the masked text). Differences in the program name ("berth:" / "docker:") are
// expected and normalised.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER, ROOT, TestDaemon, ensureBusyboxTar, missingTools, type RunResult } from '../../support/daemon.ts';

const BERTH = join(ROOT, 'dist/berth.js');
const skip = missingTools(DOCKER, BERTH);
if (skip) console.log(`# skipping berth-vs-docker CLI comparison: ${skip}`);

type Cli = 'berth' | 'docker';

/** Masks what legitimately differs between two runs. */
export function normalize(text: string): string {
  return text
    .replace(/\b(sha256:)?[0-9a-f]{64}\b/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<SHORTID>')
    .replace(/(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))/g, '<TIME>')
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( ?[+-]\d{2}:?\d{2}| UTC|Z)?( UTC)?/g, '<DATE>')
    .replace(/\b(berth|docker)(:| run| create| ps| stop| start| rename| images| inspect| --help)/g, 'CLI$2')
    .replace(/'(berth|docker) /g, "'CLI ")
    .replace(/cmp-(berth|docker)-/g, 'cmp-X-')
    .replace(/"Pid": \d+/g, '"Pid": <PID>')
    // Two containers get two addresses (and MACs derived from them).
    .replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, '<IP>')
    .replace(/\b02:42(:[0-9a-f]{2}){4}\b/g, '<MAC>')
    .replace(/ Runtimes: .*/g, ' Runtimes: <MAP ORDER>')
    .replace(/System Time: .*/g, 'System Time: <NOW>');
}

/** A table as rows of normalised cells (columns are separated by 2+ spaces). */
function cells(text: string): string[][] {
  return normalize(text).split('\n').filter((l) => l !== '').map((l) => l.split(/ {2,}/).map((c) => c.trim()));
}

describe('berth CLI vs docker CLI 28 on one berthd', { skip }, () => {
  const d = new TestDaemon();

  function run(cli: Cli, args: string[], input?: string): Promise<RunResult> {
    return d.cli(cli, args, { input: input ?? '' });
  }

  /** Runs the same command with both CLIs (`{}` in args becomes the CLI's name, for unique names). */
  async function both(args: string[], input?: string): Promise<{ berth: RunResult; docker: RunResult }> {
    const sub = (cli: Cli): string[] => args.map((a) => a.replaceAll('{}', cli));
    const berth = await run('berth', sub('berth'), input);
    const docker = await run('docker', sub('docker'), input);
    return { berth, docker };
  }

  function same(r: { berth: RunResult; docker: RunResult }, what: string, mode: 'text' | 'table' = 'text'): void {
    assert.equal(r.berth.code, r.docker.code, `${what}: exit code\nberth: ${r.berth.stderr}\ndocker: ${r.docker.stderr}`);
    if (mode === 'table') assert.deepEqual(cells(r.berth.stdout), cells(r.docker.stdout), `${what}: stdout`);
    else assert.equal(normalize(r.berth.stdout), normalize(r.docker.stdout), `${what}: stdout`);
    assert.equal(normalize(r.berth.stderr), normalize(r.docker.stderr), `${what}: stderr`);
  }

  before(async () => {
    await d.start();
    const r = await run('docker', ['import', ensureBusyboxTar(), 'busybox:latest']);
    if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  });
  after(async () => { await d.stop(); });

  test('run: output, exit codes, stdin, errors', async () => {
    same(await both(['run', '--rm', 'busybox', 'echo', 'hello world']), 'run echo');
    same(await both(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 42']), 'run exit 42');
    same(await both(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], 'piped\n'), 'run -i');
    same(await both(['run', '--rm', 'busybox', 'nosuchcommand']), 'run 127');
    same(await both(['run', '--rm', 'busybox', '/etc/passwd']), 'run 126');
    same(await both(['run', '--rm', '--restart', 'always', 'busybox', 'true']), 'run --rm --restart');
    same(await both(['run', '--health-interval', 'x', 'busybox']), 'bad duration flag');
    same(await both(['run', '--rm', 'cmp-missing:1', 'true']), 'missing image');
    same(await both(['run']), 'run without image');
  });

  test('create with many flags gives the same container', async () => {
    const envFile = join(d.dir, 'cmp.env');
    writeFileSync(envFile, '# c\nFROM_FILE=yes\nHOME\n');
    const flags = ['-e', 'A=1', '--env-file', envFile, '-l', 'a=b', '--restart', 'on-failure:3', '-p', '8080:80', '-v', '/data',
      '--init', '--health-cmd', 'true', '--health-interval', '30s', '--health-retries', '2', '--memory', '64m', '--cpus', '0.5',
      '--pids-limit', '50', '--cap-add', 'NET_ADMIN', '--cap-drop', 'chown', '--read-only', '--stop-signal', 'SIGINT',
      '--stop-timeout', '5', '-w', '/tmp', '-u', 'nobody', '--hostname', 'h', '--entrypoint', 'sh', '-t', '-i',
      '--tmpfs', '/run:size=1m', '--dns', '10.0.0.1', '--add-host', 'db:10.0.0.2', '--ulimit', 'nofile=1024:2048'];
    const r = await both(['create', '--name', 'cmp-{}-create', ...flags, 'busybox', '-c', 'echo hi']);
    assert.equal(r.berth.code, 0, r.berth.stderr);
    assert.equal(r.docker.code, 0, r.docker.stderr);
    // The daemon's key order is its own business: compare the decoded values.
    for (const field of ['.Config', '.HostConfig', '.Path', '.Args']) {
      const i = await both(['inspect', '-f', `{{json ${field}}}`, 'cmp-{}-create']);
      assert.equal(i.berth.code, 0, i.berth.stderr);
      assert.deepEqual(JSON.parse(normalize(i.berth.stdout)), JSON.parse(normalize(i.docker.stdout)), field);
    }
  });

  test('ps, inspect, logs, exec, top on running containers', async () => {
    for (const cli of ['berth', 'docker'] as const) {
      const r = await run(cli, ['run', '-d', '--name', `cmp-${cli}-web`, '-l', 'app=web', 'busybox', 'sh', '-c', 'echo out; echo err >&2; sleep 300']);
      assert.equal(r.code, 0, r.stderr);
    }
    await new Promise((res) => setTimeout(res, 500));
    same(await both(['ps', '--filter', 'name=cmp-{}-web']), 'ps table', 'table');
    same(await both(['ps', '-a', '--no-trunc', '--filter', 'label=app=web', '--format', 'table {{.ID}}\t{{.Names}}\t{{.Label "app"}}']), 'ps custom table', 'table');
    same(await both(['ps', '--filter', 'name=cmp-{}-web', '--format', '{{json .}}']), 'ps json');
    same(await both(['ps', '-q', '--filter', 'name=cmp-{}-web']), 'ps -q');
    same(await both(['ps', '--filter', 'name=cmp-{}-web', '-s']), 'ps -s', 'table');
    same(await both(['inspect', 'cmp-{}-web']), 'inspect raw');
    same(await both(['inspect', '-f', '{{.State.Status}} {{.Config.Labels}} {{json .Config.Cmd}}', 'cmp-{}-web']), 'inspect -f');
    same(await both(['inspect', '-f', '{{.State.Health.Status}}', 'cmp-{}-web']), 'inspect -f missing key');
    same(await both(['inspect', 'cmp-nothing']), 'inspect missing');
    same(await both(['container', 'inspect', 'cmp-nothing']), 'container inspect missing');
    same(await both(['logs', 'cmp-{}-web']), 'logs');
    same(await both(['logs', '--tail', '1', '-t', 'cmp-{}-web']), 'logs --tail -t');
    same(await both(['exec', 'cmp-{}-web', 'sh', '-c', 'echo in-exec; exit 4']), 'exec');
    // berthd refuses this exec start with a 500 before the upgrade; docker CLI 28 then says only
    // "unable to upgrade to tcp, received 500", berth shows the daemon's message.
    const nocmd = await both(['exec', 'cmp-{}-web', 'nosuchcommand']);
    assert.equal(nocmd.berth.code, nocmd.docker.code);
    if (nocmd.docker.stderr.startsWith('unable to upgrade to tcp')) assert.match(nocmd.berth.stderr, /^Error response from daemon: .*nosuchcommand/);
    else same(nocmd, 'exec missing command');
    same(await both(['exec', 'cmp-nothing', 'true']), 'exec missing container');
    const top = await both(['top', 'cmp-{}-web']);
    assert.equal(top.berth.code, 0);
    assert.deepEqual(cells(top.berth.stdout)[0], cells(top.docker.stdout)[0]);
    same(await both(['rename', 'cmp-{}-web', 'cmp-{}-web2']), 'rename');
    same(await both(['kill', 'cmp-{}-web2', 'cmp-nothing']), 'kill');
    same(await both(['wait', 'cmp-{}-web2']), 'wait');
    same(await both(['rm', 'cmp-{}-web2', 'cmp-nothing']), 'rm');
    same(await both(['rm', '-f', 'cmp-nothing']), 'rm -f missing');
  });

  test('network commands and port', async () => {
    let sub = 70;
    for (const cli of ['berth', 'docker'] as const) {
      const r = await run(cli, ['network', 'create', '--subnet', `10.197.${sub++}.0/24`, '--label', 'cmp=1', `cmp-${cli}-net`]);
      assert.equal(r.code, 0, r.stderr);
      const w = await run(cli, ['run', '-d', '--name', `cmp-${cli}-pweb`, '--network', `cmp-${cli}-net`, '-p', `${cli === 'berth' ? 18471 : 18472}:80`, '-p', '127.0.0.1::81/udp', 'busybox', 'sleep', '300']);
      assert.equal(w.code, 0, w.stderr);
    }
    same(await both(['network', 'ls', '--filter', 'name=cmp-{}-net']), 'network ls', 'table');
    same(await both(['network', 'ls', '-q', '--filter', 'label=cmp=1', '--filter', 'name=cmp-{}']), 'network ls -q');
    same(await both(['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Scope}} {{range .IPAM.Config}}{{.Gateway}}{{end}} {{len .Containers}}', 'cmp-{}-net']), 'network inspect -f');
    same(await both(['network', 'inspect', 'cmp-nothing']), 'network inspect missing');
    const port = await both(['port', 'cmp-{}-pweb']);
    assert.equal(port.berth.code, 0, port.berth.stderr);
    assert.equal(port.berth.stdout.replace(/:\d+/g, ':<P>'), port.docker.stdout.replace(/:\d+/g, ':<P>'));
    same(await both(['port', 'cmp-{}-pweb', '82']), 'port not published');
    same(await both(['network', 'rm', 'cmp-{}-net']), 'network rm in use');
    same(await both(['network', 'disconnect', 'cmp-{}-net', 'cmp-{}-pweb']), 'network disconnect');
    same(await both(['network', 'connect', 'cmp-nothing', 'cmp-{}-pweb']), 'network connect missing');
    same(await both(['rm', '-f', 'cmp-{}-pweb']), 'rm -f');
    same(await both(['network', 'rm', 'cmp-{}-net', 'cmp-nothing']), 'network rm');
  });

  test('start, stop, restart, pause lifecycle output', async () => {
    same(await both(['create', '--name', 'cmp-{}-life', 'busybox', 'sleep', '300']), 'create');
    same(await both(['start', 'cmp-{}-life', 'cmp-nothing']), 'start');
    same(await both(['pause', 'cmp-{}-life']), 'pause');
    same(await both(['unpause', 'cmp-{}-life']), 'unpause');
    same(await both(['restart', '-t', '1', 'cmp-{}-life']), 'restart');
    same(await both(['stop', '-t', '1', 'cmp-{}-life', 'cmp-nothing']), 'stop');
    same(await both(['start', '-a', 'cmp-{}-life-missing']), 'start -a missing');
    same(await both(['rm', 'cmp-{}-life']), 'rm');
  });

  test('images, tag, rmi, import, version and info', async () => {
    same(await both(['images']), 'images', 'table');
    same(await both(['images', '-q']), 'images -q');
    same(await both(['images', '--format', '{{json .}}']), 'images json');
    same(await both(['tag', 'busybox', 'cmp-{}:v1']), 'tag');
    // One image with several tags: a reference filter keeps only the matching tag (as dockerd
    // does), so each CLI sees its own row; the name is compared with {} put back.
    const filtered = await both(['images', 'cmp-{}']);
    assert.equal(filtered.berth.code, filtered.docker.code);
    const own = (t: string): string[][] => cells(t).map((row) => row.map((c) => c.replace(/^cmp-(berth|docker)$/, 'cmp-{}'))).sort();
    assert.deepEqual(own(filtered.berth.stdout), own(filtered.docker.stdout));
    assert.equal(cells(filtered.berth.stdout).length, 2, 'the header and one row');
    same(await both(['rmi', 'cmp-{}:v1', 'cmp-nothing:1']), 'rmi');
    same(await both(['image', 'inspect', '-f', '{{.Os}} {{.Architecture}} {{.RepoTags}}', 'busybox']), 'image inspect');
    const tar = ensureBusyboxTar();
    same(await both(['import', '-c', 'CMD ["sh"]', '-m', 'imported', tar, 'cmp-{}-imp:1']), 'import');
    same(await both(['image', 'inspect', '-f', '{{json .Config.Cmd}} {{.Comment}}', 'cmp-{}-imp:1']), 'imported config');
    same(await both(['history', 'cmp-{}-imp:1']), 'history', 'table');
    same(await both(['image', 'history', '--no-trunc', '-H=false', 'cmp-{}-imp:1']), 'history --no-trunc -H=false', 'table');
    same(await both(['history', '-q', 'busybox']), 'history -q');
    const v = await both(['version']);
    assert.equal(v.berth.code, 0);
    assert.equal(v.berth.stdout.slice(v.berth.stdout.indexOf('Server:')), v.docker.stdout.slice(v.docker.stdout.indexOf('Server:')));
    const info = await both(['info']);
    assert.equal(info.berth.code, info.docker.code);
    const server = (t: string): string => normalize(t.slice(t.indexOf('Server:')));
    assert.equal(server(info.berth.stdout), server(info.docker.stdout));
    same(await both(['info', '--format', '{{.Images}} {{.Driver}}']), 'info --format');
  });

  test('usage errors', async () => {
    same(await both(['stop']), 'stop without args');
    same(await both(['ps', '--foo']), 'unknown flag');
    same(await both(['rename', 'a']), 'rename one arg');
    same(await both(['ps', '-n', 'x']), 'bad int');
  });

  test('existsSync sanity: the comparison ran against the built CLI', () => {
    assert.ok(existsSync(BERTH));
  });
});
