// Debian's dockerd (package docker.io) in temporary roots, for differential tests: no bridge,
// no iptables, its own cgroup parent; stop() removes its processes, mounts, cgroups and dirs.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DOCKER, sleep, type RunResult } from './daemon.ts';

const execFileP = promisify(execFile);
export const DOCKERD = '/usr/sbin/dockerd';

/** Debian's dockerd in temp roots: no bridge, no iptables, its own cgroup parent. */
export class Dockerd {
  readonly dir = mkdtempSync('/tmp/berth-test-dockerd-');
  readonly sock = join(this.dir, 'docker.sock');
  readonly cgroupParent = `/${this.dir.split('/').pop()!}`;
  proc: ChildProcess | null = null;
  log = '';

  async start(): Promise<void> {
    writeFileSync(join(this.dir, 'daemon.json'), '{}\n');
    this.proc = spawn(DOCKERD, ['--config-file', join(this.dir, 'daemon.json'), '--data-root', join(this.dir, 'data'), '--exec-root', join(this.dir, 'run'),
      '--pidfile', join(this.dir, 'docker.pid'), '-H', `unix://${this.sock}`, '--storage-driver', 'overlay2', '--bridge', 'none',
      '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--cgroup-parent', this.cgroupParent], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (b: Buffer) => { this.log = (this.log + b.toString()).slice(-200_000); });
    for (let i = 0; i < 600; i++) {
      if (this.proc.exitCode !== null) throw new Error(`dockerd exited: ${this.log}`);
      if ((await this.docker(['version', '--format', '{{.Server.Version}}'])).code === 0) return;
      await sleep(100);
    }
    throw new Error(`dockerd did not start: ${this.log}`);
  }

  docker(args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn(DOCKER, args, { env: { ...process.env, DOCKER_HOST: `unix://${this.sock}`, DOCKER_CONFIG: join(this.dir, 'docker-config') } });
      let stdout = ''; let stderr = '';
      child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  async stop(): Promise<void> {
    const ids = (await this.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
    if (ids.length) await this.docker(['rm', '-f', ...ids]);
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (p.exitCode === null) { p.kill('SIGKILL'); await exited; }
    }
    // containerd and shims dockerd started for this root.
    for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      let cmd = '';
      try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
      if (cmd.includes(this.dir)) { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } }
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && m.startsWith(this.dir));
    for (const m of mounts.sort().reverse()) await execFileP('umount', ['-l', m]).catch(() => undefined);
    for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      const dir = join('/sys/fs/cgroup', ctrl, this.cgroupParent);
      if (!existsSync(dir)) continue;
      for (const sub of readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) { try { rmdirSync(join(dir, sub.name)); } catch { /* busy */ } }
      try { rmdirSync(dir); } catch { /* busy */ }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
