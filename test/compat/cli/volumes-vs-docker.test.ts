// `berth volume …` and `-v`/`--mount` on berth run, against the real docker CLI 28 on one
// berthd: same stdout, stderr and exit codes once names and times are masked.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DOCKER, ROOT, TestDaemon, ensureBusyboxTar, missingTools, type RunResult } from '../../support/daemon.ts';

const BERTH = join(ROOT, 'dist/berth.js');
const skip = missingTools(DOCKER, BERTH);
if (skip) console.log(`# skipping volume CLI comparison: ${skip}`);

type Cli = 'berth' | 'docker';

/** Masks what legitimately differs: ids, times, the program name. */
function normalize(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
    .replace(/(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))/g, '<TIME>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, '<DATE>')
    .replace(/\b(berth|docker)(:| run| volume| rm| --help)/g, 'CLI$2')
    .replace(/'(berth|docker) /g, "'CLI ");
}

describe('berth volume CLI vs docker CLI 28', { skip }, () => {
  const d = new TestDaemon();

  function run(cli: Cli, args: string[], input?: string): Promise<RunResult> {
    return d.cli(cli, args, { input: input ?? '' });
  }

  /** Runs both CLIs; `{}` in args becomes the CLI's name so each makes its own objects. */
  async function same(args: string[], what: string, input?: string): Promise<void> {
    const sub = (cli: Cli): string[] => args.map((a) => a.replaceAll('{}', cli));
    const b = await run('berth', sub('berth'), input);
    const k = await run('docker', sub('docker'), input);
    // Column widths follow the masked text: compare tables cell by cell.
    const mask = (t: string): string => normalize(t).replace(/berth-test-(berth|docker)/g, 'berth-test-X').replace(/(\S) {2,}/g, '$1\t');
    assert.equal(b.code, k.code, `${what}: exit code\nberth: ${b.stderr}\ndocker: ${k.stderr}`);
    assert.equal(mask(b.stdout), mask(k.stdout), `${what}: stdout`);
    assert.equal(mask(b.stderr), mask(k.stderr), `${what}: stderr`);
  }

  before(async () => {
    await d.start();
    const r = await run('docker', ['import', ensureBusyboxTar(), 'busybox:latest']);
    if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  });
  after(async () => { await d.stop(); });

  test('volume verbs print what docker prints', async () => {
    await same(['volume', 'create', '--label', 'k=v', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'berth-test-{}-a'], 'create');
    await same(['volume', 'inspect', 'berth-test-{}-a'], 'inspect');
    await same(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels}} {{.Options}} {{.Scope}}', 'berth-test-{}-a'], 'inspect -f');
    await same(['volume', 'ls', '-f', 'name=berth-test-{}'], 'ls');
    await same(['volume', 'ls', '-q', '-f', 'label=k=v', '-f', 'name=berth-test-{}'], 'ls -q');
    await same(['volume', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Labels}}', '-f', 'name=berth-test-{}'], 'ls --format table');
    await same(['volume', 'ls', '-f', 'bogus=1'], 'ls bad filter');
    await same(['volume', 'inspect', 'berth-test-{}-missing'], 'inspect missing');
    await same(['volume', 'create', 'bad/name'], 'create bad name');
    await same(['volume', 'create', '-o', 'colour=red', 'berth-test-{}-b'], 'create bad option');
    await same(['volume', 'create', '-d', 'nosuchdriver', 'berth-test-{}-b'], 'create unknown driver');
    await same(['run', '--name', 'berth-test-{}-user', '-v', 'berth-test-{}-a:/data', 'busybox', 'true'], 'run -v');
    await same(['volume', 'rm', 'berth-test-{}-a'], 'rm in use');
    await same(['rm', '-v', 'berth-test-{}-user'], 'rm -v');
    await same(['volume', 'rm', 'berth-test-{}-a', 'berth-test-{}-nope'], 'rm with one missing');
    await same(['volume', 'rm', '-f', 'berth-test-{}-nope'], 'rm -f missing');
    await same(['volume', 'prune'], 'prune declined', 'n\n');
  });

  test('system df and system df -v', async () => {
    for (const cli of ['berth', 'docker'] as const) {
      const r = await run(cli, ['run', '--name', `berth-test-${cli}-df`, '-v', `berth-test-${cli}-dfv:/d`, 'busybox', 'sh', '-c', 'head -c 5000 /dev/zero > /d/f']);
      assert.equal(r.code, 0, r.stderr);
    }
    await same(['system', 'df'], 'system df');
    await same(['system', 'df', '-v'], 'system df -v');
    await same(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}/{{.Active}}'], 'system df --format');
    for (const cli of ['berth', 'docker'] as const) await run(cli, ['rm', '-v', `berth-test-${cli}-df`]);
  });

  test('-v and --mount errors read the same', async () => {
    await same(['run', '--rm', '--mount', 'type=bind,source=/berth-test-missing,target=/x', 'busybox', 'true'], 'missing bind source');
    await same(['run', '--rm', '--mount', 'type=bind,target=/x', 'busybox', 'true'], 'bind without source');
    await same(['run', '--rm', '--mount', 'source=v,target=/x,colour=red', 'busybox', 'true'], 'bad --mount key');
    await same(['run', '--rm', '-v', 'berth-test-{}-x:/', 'busybox', 'true'], 'volume on /');
    await same(['run', '--rm', '-v', '/tmp:/d', '-v', '/tmp:/d', 'busybox', 'true'], 'same bind twice');
    await same(['run', '--rm', '-v', '/tmp:/d:nonsense', 'busybox', 'true'], 'bad mode');
  });
});
