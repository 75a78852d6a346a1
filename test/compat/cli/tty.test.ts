// Terminal sessions through berth and docker CLI 28 against one berthd, on a real
// pseudo-terminal (python3's pty module drives the CLI): raw mode, window size, exit codes
// and the detach keys must behave the same.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DOCKER, ROOT, TestDaemon, ensureBusyboxTar, missingTools } from '../../support/daemon.ts';

const BERTH = join(ROOT, 'dist/berth.js');
const skip = missingTools(DOCKER, BERTH, '/usr/bin/python3');
if (skip) console.log(`# skipping TTY comparison: ${skip}`);

/** Runs argv on a 30x100 pty, types `inputs` (one every 700 ms), returns output and exit code. */
const DRIVER = `
import os, pty, sys, time, select, json, fcntl, termios, struct
argv = json.loads(sys.argv[1]); inputs = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
    os.execvp(argv[0], argv)
out = b''
def drain(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try: d = os.read(fd, 65536)
            except OSError: return
            if not d: return
            out += d
drain(1.5)
for i in inputs:
    os.write(fd, i.encode('latin1')); drain(0.7)
code = None
for _ in range(200):
    p, status = os.waitpid(pid, os.WNOHANG)
    if p: code = os.waitstatus_to_exitcode(status); break
    drain(0.05); time.sleep(0.05)
if code is None:
    os.kill(pid, 9); os.waitpid(pid, 0); code = -1
print(json.dumps({'out': out.decode('latin1'), 'code': code}))
`;

describe('TTY sessions: berth vs docker CLI 28', { skip }, () => {
  const d = new TestDaemon();

  function onPty(cli: 'berth' | 'docker', args: string[], inputs: string[] = []): Promise<{ out: string; code: number }> {
    const argv = cli === 'berth' ? [process.execPath, BERTH, ...args] : [DOCKER, ...args];
    return new Promise((resolveP, reject) => {
      const child = spawn('/usr/bin/python3', ['-c', DRIVER, JSON.stringify(argv), JSON.stringify(inputs)], {
        env: { ...process.env, BERTH_HOST: d.host, DOCKER_HOST: d.host, DOCKER_CONFIG: join(d.dir, 'docker-config') },
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
      child.on('close', () => {
        try {
          resolveP(JSON.parse(stdout) as { out: string; code: number });
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  before(async () => {
    await d.start();
    const r = await d.docker(['import', ensureBusyboxTar(), 'busybox:latest']);
    if (r.code !== 0) throw new Error(r.stderr);
  });
  after(async () => { await d.stop(); });

  test('run -it: raw output (no \\r\\r\\n), window size, exit code', async () => {
    const args = ['run', '-it', '--rm', 'busybox', 'sh', '-c', 'tty; stty size; exit 5'];
    const berth = await onPty('berth', args);
    const docker = await onPty('docker', args);
    assert.equal(berth.code, 5);
    assert.equal(berth.code, docker.code);
    assert.equal(berth.out, docker.out);
    assert.match(berth.out, /30 100\r\n/);
  });

  test('run -it: typed input reaches the shell; ctrl-p ctrl-q detaches and leaves it running', async () => {
    for (const cli of ['berth', 'docker'] as const) {
      const name = `tty-${cli}`;
      const r = await onPty(cli, ['run', '-it', '--name', name, 'busybox', 'sh'], ['echo typed-$((40+2))\r', '\x10\x11']);
      assert.equal(r.code, 0, `${cli}: ${r.out}`);
      assert.match(r.out, /typed-42/);
      const state = await d.docker(['inspect', '-f', '{{.State.Running}}', name]);
      assert.equal(state.stdout.trim(), 'true', cli);
    }
  });

  test('exec -it runs on a terminal and returns the exit code', async () => {
    await d.docker(['run', '-d', '--name', 'tty-exec', 'busybox', 'sleep', '300']);
    const args = ['exec', '-it', 'tty-exec', 'sh', '-c', 'tty >/dev/null && echo on-a-tty; stty size; exit 3'];
    const berth = await onPty('berth', args);
    const docker = await onPty('docker', args);
    assert.equal(berth.code, 3);
    assert.equal(berth.out, docker.out);
  });
});
