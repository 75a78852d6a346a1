// Test support: registries on loopback. `berth registry serve` (dist/berth-registry.js) and
// Debian's Distribution registry (/usr/bin/docker-registry, with a config file in a temp
// dir), each in its own berth-test-* directory, removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './daemon.ts';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class TestRegistry {
  readonly dir: string;
  proc: ChildProcess | null = null;
  port = 0;
  log = '';

  constructor(readonly kind: 'berth' | 'distribution', readonly opts: { htpasswd?: string; readOnly?: boolean } = {}) {
    this.dir = mkdtempSync(`/tmp/berth-test-registry-${kind}-`);
  }

  get addr(): string { return `127.0.0.1:${this.port}`; }
  get url(): string { return `http://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    this.port = await freePort();
    const root = join(this.dir, 'data');
    if (this.kind === 'berth') {
      const args = [join(ROOT, 'dist/berth-registry.js'), 'serve', '--addr', this.addr, '--root', root];
      if (this.opts.htpasswd) { writeFileSync(join(this.dir, 'htpasswd'), this.opts.htpasswd); args.push('--htpasswd', join(this.dir, 'htpasswd')); }
      if (this.opts.readOnly) args.push('--read-only');
      this.proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
      const auth = this.opts.htpasswd
        ? `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(this.dir, 'htpasswd')}\n` : '';
      if (this.opts.htpasswd) writeFileSync(join(this.dir, 'htpasswd'), this.opts.htpasswd);
      const cfg = `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\n${auth}http:\n  addr: ${this.addr}\n`;
      writeFileSync(join(this.dir, 'config.yml'), cfg);
      this.proc = spawn(DOCKER_REGISTRY, ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    this.proc.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
    for (let i = 0; i < 100; i++) {
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} registry exited: ${this.log}`);
      try {
        const r = await fetch(`${this.url}/v2/`);
        if (r.status === 200 || r.status === 401) return;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.kind} registry did not start: ${this.log}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
