// RUN --mount=type=ssh through `berth build --ssh`: a real ssh-agent (Debian's openssh-client)
// on the client side, its keys listed by ssh-add inside the RUN (the host's ssh-add and its
// libraries copied into the build), ids routed to the right agent, nothing of it left in the
// image or on the host; builds without a forwarded agent fail clearly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, copyFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { TestDaemon, type RunResult } from '../support/daemon.ts';

const tools = ['ssh-agent', 'ssh-add', 'ssh-keygen'].map((t) => { try { return execFileSync('sh', ['-c', `command -v ${t}`]).toString().trim(); } catch { return ''; } });
const missing = tools.some((t) => t === '') ? 'needs ssh-agent, ssh-add and ssh-keygen (Debian openssh-client)' : false;

const d = new TestDaemon();
const tmp = mkdtempSync('/tmp/berth-test-build-ssh-');
const agents: ChildProcess[] = [];
before(async () => { if (missing) return; await d.start(); await d.importBusybox(); });
after(async () => {
  for (const a of agents) a.kill('SIGTERM');
  if (!missing) await d.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A running ssh-agent holding one new ed25519 key with this comment; its socket path. */
async function agent(name: string, comment: string): Promise<string> {
  const dir = join(tmp, name);
  mkdirSync(dir, { mode: 0o700 });
  const sock = join(dir, 'agent.sock');
  const a = spawn(tools[0]!, ['-D', '-a', sock], { stdio: 'ignore' });
  agents.push(a);
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  execFileSync(tools[2]!, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'key')]);
  execFileSync(tools[1]!, [join(dir, 'key')], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  return sock;
}

/** A context holding the host's ssh-add and the libraries it loads, under rootfs/. */
function context(dockerfile: string): string {
  const dir = mkdtempSync(join(tmp, 'ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const files = [tools[1]!, ...execFileSync('ldd', [tools[1]!]).toString().split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1] ?? '').filter((p) => p !== '')];
  for (const f of files) {
    const to = join(dir, 'rootfs', f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  return dir;
}

function berth(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return d.cli('berth', ['build', ...args], { env, timeoutMs: 120_000 });
}

const sshDirs = (): number => readdirSync('/tmp').filter((n) => n.startsWith('berth-ssh-')).length;

test('berth build --ssh: RUN --mount=type=ssh reaches the client\'s agents by id; nothing stays behind', { skip: missing }, async () => {
  const main = await agent('main', 'berth-test-main-key');
  const other = await agent('other', 'berth-test-other-key');
  const before = sshDirs();
  const ctx = context([
    'FROM busybox:latest',
    `COPY rootfs/ /`,
    'RUN --mount=type=ssh echo "sock=$SSH_AUTH_SOCK" > /default.txt && ssh-add -l >> /default.txt',
    'RUN --mount=type=ssh,id=other,target=/tmp/other.sock,uid=1000,mode=0600 ls -ln /tmp/other.sock | awk \'{print $1, $3}\' > /other.txt && ssh-add -l >> /other.txt',
    '',
  ].join('\n'));
  const r = await berth(['-t', 'berth-test-ssh:1', '--ssh', 'default', '--ssh', `other=${other}`, ctx], { SSH_AUTH_SOCK: main });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const cat = async (f: string): Promise<string> => (await d.docker(['run', '--rm', 'berth-test-ssh:1', 'cat', f])).stdout;
  const def = await cat('/default.txt');
  assert.match(def, /^sock=\/run\/buildkit\/ssh_agent\.0\n/);
  assert.match(def, /berth-test-main-key \(ED25519\)/);
  assert.doesNotMatch(def, /berth-test-other-key/);
  const oth = await cat('/other.txt');
  assert.match(oth, /^srw------- 1000\n/);
  assert.match(oth, /berth-test-other-key \(ED25519\)/);
  assert.doesNotMatch(oth, /berth-test-main-key/);
  // No agent socket or mount point in the image; BuildKit's history line.
  assert.equal((await d.docker(['run', '--rm', 'berth-test-ssh:1', 'sh', '-c', 'test -e /run/buildkit || test -e /tmp/other.sock || echo clean'])).stdout, 'clean\n');
  const h = (await d.api('GET', '/images/berth-test-ssh:1/history')).json as { CreatedBy: string }[];
  assert.match(h[0]!.CreatedBy, /^RUN \/bin\/sh -c ls -ln \/tmp\/other\.sock .* # buildkit$/);
  assert.equal(sshDirs(), before, 'the RUNs\' agent sockets are removed');
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
  // The ssh mounts are in the cache key, the agents' keys are not: a rebuild is cached.
  const again = await berth(['--ssh', 'default', '--ssh', `other=${other}`, ctx], { SSH_AUTH_SOCK: main });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/Using cache/g)?.length, 3, again.stdout);
});

test('type=ssh without a forwarded agent fails clearly (docker CLI, berth without --ssh); required=false skips it', { skip: missing }, async () => {
  const ctx = context('FROM busybox:latest\nRUN --mount=type=ssh echo never\n');
  const viaDocker = await d.docker(['build', ctx], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
  assert.notEqual(viaDocker.code, 0);
  assert.match(viaDocker.stdout + viaDocker.stderr, /no SSH agent "default" was forwarded by the client for RUN --mount=type=ssh: build with `berth build --ssh default`.*\(Dockerfile line 2\)/);
  const viaBerth = await berth([ctx], { SSH_AUTH_SOCK: '' });
  assert.notEqual(viaBerth.code, 0);
  assert.match(viaBerth.stdout + viaBerth.stderr, /no SSH agent "default" was forwarded/);
  // Forwarding another id is not enough.
  const main = await agent('third', 'berth-test-third-key');
  const wrongId = await berth(['--ssh', `gh=${main}`, ctx], { SSH_AUTH_SOCK: '' });
  assert.notEqual(wrongId.code, 0);
  assert.match(wrongId.stdout + wrongId.stderr, /no SSH agent "default" was forwarded/);
  // The CLI refuses what it cannot forward.
  const noSock = await berth(['--ssh', 'default', ctx], { SSH_AUTH_SOCK: '' });
  assert.equal(noSock.code, 125);
  assert.match(noSock.stderr, /make sure SSH_AUTH_SOCK is set/);
  const keyFile = await berth(['--ssh', `default=${join(tmp, 'third', 'key')}`, ctx]);
  assert.equal(keyFile.code, 125);
  assert.match(keyFile.stderr, /is not an ssh agent socket/);
  const optional = context('FROM busybox:latest\nRUN --mount=type=ssh,required=false test ! -e /run/buildkit/ssh_agent.0 && echo skipped > /s\n');
  const ok = await d.docker(['build', '-q', optional], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
});
