import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeFifo, shellQuote, spawnLine, ShellSpawner } from './shell-spawner.ts';

test('shellQuote: any word survives the shell', () => {
  const cases: [string, string][] = [["plain", "'plain'"], ["it's", "'it'\\''s'"], ['$HOME `x` "y"', `'$HOME \`x\` "y"'`], ['', "''"]];
  for (const [w, q] of cases) assert.equal(shellQuote(w), q);
});

test('spawnLine: env, argv, fd redirections, stdio to /dev/null, exit report', () => {
  const line = spawnLine('7', { argv: ['/usr/bin/conmon', '-c', "a b'c"], cwd: '/x y', env: { _OCI_SYNCPIPE: '3' }, fds: { 3: ['>', '/f/sync'], 4: ['<', '/f/start'] } });
  assert.equal(line, `{ cd '/x y' && _OCI_SYNCPIPE='3' '/usr/bin/conmon' '-c' 'a b'\\''c' 3>'/f/sync' 4<'/f/start' </dev/null >/dev/null 2>/dev/null; echo "x 7 $?"; } &\n`);
});

test('ShellSpawner runs processes with FIFO descriptors and reports their exit status', async () => {
  const dir = mkdtempSync('/tmp/berth-test-spawner-');
  const sp = new ShellSpawner();
  try {
    const inPath = join(dir, 'in');
    const outPath = join(dir, 'out');
    assert.equal(await makeFifo(inPath), true);
    assert.equal(await makeFifo(outPath), true);
    const flags = constants.O_RDWR | constants.O_NONBLOCK;
    const inFd = openSync(inPath, flags);
    const outFd = openSync(outPath, flags);
    writeSync(inFd, 'ping');
    const status = sp.run({ argv: ['/bin/sh', '-c', 'head -c 4 <&4 >&3; echo "$X" >&3; exit 3'], cwd: dir, env: { X: "it's ok" }, fds: { 3: ['>', outPath], 4: ['<', inPath] } });
    assert.equal(await status, 3);
    const buf = Buffer.alloc(64);
    const n = readSync(outFd, buf);
    assert.equal(buf.subarray(0, n).toString(), "pingit's ok\n");
    closeSync(inFd); closeSync(outFd);
    assert.equal(await sp.run({ argv: ['/bin/true'], cwd: '/nonexistent-berth-test', env: {}, fds: {} }), 1, 'a cwd that does not exist: status 1, nothing run');
  } finally {
    sp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
