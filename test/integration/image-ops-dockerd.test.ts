// Differential tests: the same image operations against berthd and Debian's dockerd (package
// docker.io), started here in temporary roots with no networking of its own. The same
// tarball imported in both gives the same diffIDs and sizes; an image moved between them
// through a registry keeps its id (the sha256 of its config bytes) in both directions; a
// commit's layer has the same size, config and history; error wording for bad input is the same.
// Commit diffIDs are compared in commit-diffid-dockerd.test.ts.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { TestDaemon, DOCKER, ensureBusyboxTar, missingTools, type RunResult } from '../support/daemon.ts';
import { Dockerd, DOCKERD } from '../support/dockerd.ts';
import { TestRegistry } from '../support/registries.ts';

const skip = missingTools(DOCKER, DOCKERD);
if (skip) console.log(`# skipping differential tests against dockerd: ${skip}`);

describe('berthd and Debian\'s dockerd agree on images', { skip }, () => {
  const b = new TestDaemon();
  const dd = new Dockerd();
  const reg = new TestRegistry('berth');
  const both = (args: string[]): Promise<[RunResult, RunResult]> => Promise.all([dd.docker(args), b.docker(args)]);

  before(async () => {
    await Promise.all([b.start(), dd.start(), reg.start()]);
  });
  after(async () => {
    await Promise.allSettled([b.stop(), dd.stop(), reg.stop()]);
  });

  test('the same tarball imported in both: same diffIDs, size, history comment, --change config', async () => {
    const tar = ensureBusyboxTar();
    const args = ['import', '-c', 'ENV A=1 B="two words"', '-c', 'CMD ["sh", "-c", "echo hi"]', '-c', 'EXPOSE 80 53/udp', '-c', 'LABEL berth-test=diff', '-c', 'WORKDIR /srv',
      '-m', 'differential', tar, 'berth-test-diff:imp'];
    const [x, y] = await both(args);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(y.code, 0, y.stderr);
    const fmt = '{{json .RootFS}}|{{.Size}}|{{.Comment}}|{{json .Config.Env}}|{{json .Config.Cmd}}|{{json .Config.ExposedPorts}}|{{json .Config.Labels}}|{{.Config.WorkingDir}}|{{.Os}}|{{.Architecture}}|{{json .RepoTags}}';
    const [ix, iy] = await both(['image', 'inspect', '-f', fmt, 'berth-test-diff:imp']);
    assert.equal(ix.code, 0, ix.stderr);
    assert.equal(iy.stdout, ix.stdout);
    const [hx, hy] = await both(['history', '--format', '{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'berth-test-diff:imp']);
    assert.equal(hy.stdout, hx.stdout);
    const [lx, ly] = await both(['images', '--format', '{{.Repository}} {{.Tag}} {{.Size}}', 'berth-test-diff']);
    assert.equal(ly.stdout, lx.stdout);
  });

  test('an image moved through a registry keeps its id: dockerd -> berthd and berthd -> dockerd', async () => {
    // dockerd imports and pushes; berthd pulls.
    const fromDd = `${reg.addr}/berth-test/from-dockerd:v1`;
    assert.equal((await dd.docker(['tag', 'berth-test-diff:imp', fromDd])).code, 0);
    const push = await dd.docker(['push', fromDd]);
    assert.equal(push.code, 0, push.stderr + dd.log.slice(-2000));
    const pull = await b.docker(['pull', fromDd]);
    assert.equal(pull.code, 0, pull.stderr);
    const fmt = '{{.Id}} {{json .RootFS.Layers}} {{.Size}}';
    const [ix, iy] = await Promise.all([dd.docker(['image', 'inspect', '-f', fmt, fromDd]), b.docker(['image', 'inspect', '-f', fmt, fromDd])]);
    assert.equal(iy.stdout, ix.stdout);
    // berthd imports and pushes; dockerd pulls. (Pushing a committed image needs the layer
    // export of the archive work: its layers have no stored tarball here.)
    const fromB = `${reg.addr}/berth-test/from-berthd:v1`;
    assert.equal((await b.docker(['import', '-c', 'LABEL berth-test=from-berthd', '-c', 'CMD ["cat", "/etc/passwd"]', ensureBusyboxTar(), fromB])).code, 0);
    const bpush = await b.docker(['push', fromB]);
    assert.equal(bpush.code, 0, bpush.stderr);
    const dpull = await dd.docker(['pull', fromB]);
    assert.equal(dpull.code, 0, dpull.stderr);
    const [jx, jy] = await Promise.all([dd.docker(['image', 'inspect', '-f', fmt, fromB]), b.docker(['image', 'inspect', '-f', fmt, fromB])]);
    assert.equal(jx.stdout, jy.stdout);
    const run = await dd.docker(['run', '--rm', '--network', 'none', fromB]);
    assert.match(run.stdout, /^root:/, run.stderr);
  });

  test('commit of the same change: same layer size and history columns', async () => {
    const script = 'mkdir /d; echo hi > /d/f; rm /bin/gzip';
    const [r1, r2] = await Promise.all([
      dd.docker(['run', '--network', 'none', '--name', 'berth-test-diff-cc', 'berth-test-diff:imp', 'sh', '-c', script]),
      b.docker(['run', '--name', 'berth-test-diff-cc', 'berth-test-diff:imp', 'sh', '-c', script]),
    ]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    const [c1, c2] = await both(['commit', '-m', 'same change', '-a', 'tester', '-c', 'ENV C=1', 'berth-test-diff-cc', 'berth-test-diff:commit']);
    assert.equal(c1.code, 0, c1.stderr);
    assert.equal(c2.code, 0, c2.stderr);
    const [hx, hy] = await both(['history', '--format', '{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'berth-test-diff:commit']);
    assert.equal(hy.stdout, hx.stdout);
    const fmt = '{{.Author}}|{{.Comment}}|{{json .Config.Env}}|{{len .RootFS.Layers}}|{{.Size}}';
    const [ix, iy] = await both(['image', 'inspect', '-f', fmt, 'berth-test-diff:commit']);
    assert.equal(iy.stdout, ix.stdout);
    // The parent shows in history with its id in both.
    const [px, py] = await both(['history', '-q', 'berth-test-diff:commit']);
    const [ox, oy] = await both(['images', '-q', 'berth-test-diff:imp']);
    assert.equal(px.stdout.trim().split('\n')[1], ox.stdout.trim());
    assert.equal(py.stdout.trim().split('\n')[1], oy.stdout.trim());
  });

  test('bad input: the same error wording from both', async () => {
    /** Ids differ between the engines; compare the text with ids masked. */
    const mask = (s: string): string => s.replace(/[0-9a-f]{12,64}/g, '<id>');
    const cases: string[][] = [
      ['rmi', 'berth-test-nosuch'],
      // (image inspect is left out: dockerd 20.10 doubles the message, "no such image: x: No
      // such image: x:latest"; dockerd 28 answers "No such image: x:latest" as berthd does.)
      ['history', 'berth-test-nosuch'],
      ['tag', 'berth-test-nosuch', 'berth-test-x:y'],
      ['tag', 'berth-test-diff:imp', 'Berth-Test:x'],
      ['rmi', 'berth-test-diff:solo'], // a stopped container uses it
      ['commit', 'berth-test-nosuch-container'],
      ['import', '-c', 'RUN echo', ensureBusyboxTar(), 'berth-test-diff:bad'],
    ];
    await both(['import', ensureBusyboxTar(), 'berth-test-diff:solo']);
    await both(['create', '--name', 'berth-test-diff-user', 'berth-test-diff:solo', 'true']);
    for (const args of cases) {
      const [x, y] = await both(args);
      assert.equal(y.code, x.code, `${args.join(' ')}: exit codes`);
      assert.equal(mask(y.stderr), mask(x.stderr), `docker ${args.join(' ')}`);
    }
    // API level: bad tags on the tag route.
    for (const q of ['repo=Berth-Test&tag=x', 'repo=berth-test-ok&tag=bad!tag']) {
      const y = await b.api('POST', `/images/berth-test-diff:imp/tag?${q}`);
      const x = await new Promise<{ status: number; body: string }>((resolve) => {
        execFile('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', '--unix-socket', dd.sock, '-X', 'POST', `http://d/images/berth-test-diff:imp/tag?${q}`], (_e, out) => {
          const lines = String(out).trim().split('\n');
          resolve({ status: Number(lines.pop()), body: lines.join('\n') });
        });
      });
      // Same message; dockerd 20.10 answers a bad tag with a 500, dockerd 28 (and berthd) with a 400.
      assert.ok(x.status === 400 || x.status === 500, `${q}: dockerd ${x.status}`);
      assert.equal(y.status, 400, q);
      assert.deepEqual(y.json, JSON.parse(x.body), q);
    }
  });
});
