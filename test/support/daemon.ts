// Test support: a real berthd in temporary roots, driven through the real docker CLI and the
// raw API. Everything a test daemon makes is named berth-test-* and removed in stop(),
// also when the test failed: containers, conmon processes, mounts, cgroups, directories.
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, readdirSync, rmdirSync } from 'node:fs';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const DOCKER = '/usr/local/bin/docker';
export const BUSYBOX_TAR = '/tmp/berth-test-busybox-rootfs.tar';

export interface RunResult { code: number; stdout: string; stderr: string }

export interface ApiResult { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: unknown }

/** Skips (with the reason printed) when a tool the test needs is absent. */
export function missingTools(...paths: string[]): string | false {
  const missing = paths.filter((p) => !existsSync(p));
  return missing.length ? `needs ${missing.join(', ')} (run make deps)` : false;
}

export function ensureBusyboxTar(): string {
  if (!existsSync(BUSYBOX_TAR)) {
    const r = spawnSyncBash(`bash ${join(ROOT, 'scripts/busybox-rootfs.sh')} ${BUSYBOX_TAR}`);
    if (r !== 0) throw new Error('could not build the busybox rootfs');
  }
  return BUSYBOX_TAR;
}

function spawnSyncBash(cmd: string): number {
  return spawnSync('bash', ['-c', cmd], { stdio: 'ignore' }).status ?? 1;
}

/** BERTH_TEST_STORAGE_DRIVER=vfs runs any suite on that graph driver (unless the test picks one). */
function envStorageDriver(extra: string[]): string[] {
  const d = process.env.BERTH_TEST_STORAGE_DRIVER;
  return d && !extra.includes('--storage-driver') ? ['--storage-driver', d] : [];
}

export class TestDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly cgroupParent: string;
  /** Network resources of this daemon, all named berth-test-*: default bridge, nft table, subnet. */
  readonly bridge: string;
  readonly firewallTable: string;
  readonly bip: string;
  proc: ChildProcess | null = null;
  log = '';
  /** Daemons this object stopped or killed (their exit is expected). */
  readonly #stopping = new WeakSet<ChildProcess>();
  /** More berthd flags (e.g. a second -H, --tlsverify …), appended to the defaults. */
  extraArgs: string[] = [];

  constructor(readonly runtime: 'crun' | 'runc' = 'crun') {
    // BERTH_TEST_TMP: where the daemon's dirs go (e.g. a btrfs mount, with BERTH_TEST_STORAGE_DRIVER=btrfs).
    this.dir = mkdtempSync(join(process.env.BERTH_TEST_TMP ?? '/tmp', 'berth-test-'));
    this.socket = join(this.dir, 'berth.sock');
    this.dataRoot = join(this.dir, 'data');
    this.execRoot = join(this.dir, 'run');
    this.cgroupParent = `/${this.dir.split('/').pop()!}`;
    const tag = Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0');
    this.bridge = `berth-test${tag}`;
    this.firewallTable = `berth-test-${tag}`;
    this.bip = `10.${220 + Math.floor(Math.random() * 10)}.${Math.floor(Math.random() * 256)}.1/24`;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(process.execPath, [join(ROOT, 'dist/berthd.js'), '--data-root', this.dataRoot, '--exec-root', this.execRoot,
      '-H', this.host, '--runtime', this.runtime, '--cgroup-parent', this.cgroupParent, '--log-level', 'debug',
      '--bridge', this.bridge, '--firewall-table', this.firewallTable, '--bip', this.bip, ...envStorageDriver(this.extraArgs), ...this.extraArgs],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); if (this.log.length > 2_000_000) this.log = this.log.slice(-1_000_000); });
    // A daemon that dies on its own is a failure whatever the test asserts next: say so, with its log's end.
    const proc = this.proc;
    proc.once('exit', (code, signal) => {
      if (this.#stopping.has(proc)) return;
      process.stderr.write(`berthd (${this.dir}) exited on its own (code ${code}, signal ${signal}); the end of its log:\n${this.log.slice(-8000)}\n`);
    });
    for (let i = 0; i < 200; i++) {
      if (this.proc.exitCode !== null) throw new Error(`berthd exited: ${this.log}`);
      try {
        const r = await this.api('GET', '/_ping');
        if (r.status === 200) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`berthd did not start: ${this.log}`);
  }

  /** SIGKILL: the crash case of live-restore. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    this.#stopping.add(p);
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }

  async stopDaemon(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    this.#stopping.add(p);
    p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (p.exitCode === null) p.kill('SIGKILL');
    this.proc = null;
  }

  async importBusybox(ref = 'busybox:latest'): Promise<void> {
    const r = await this.docker(['import', ensureBusyboxTar(), ref]);
    if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  }

  docker(args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
    return this.cli('docker', args, opts);
  }

  /** The real docker CLI or berth's own (dist/berth.js) against this daemon. */
  cli(which: 'docker' | 'berth', args: string[], opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
    const [cmd, argv] = which === 'berth' ? [process.execPath, [join(ROOT, 'dist/berth.js'), ...args]] : [DOCKER, args];
    return new Promise((resolveP) => {
      const child = spawn(cmd, argv, {
        env: { ...process.env, DOCKER_HOST: this.host, BERTH_HOST: this.host, DOCKER_CONFIG: join(this.dir, 'docker-config'), ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = ''; let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      child.on('close', (code) => { clearTimeout(t); resolveP({ code: code ?? -1, stdout, stderr }); });
      if (opts.input !== undefined) child.stdin.end(opts.input); else child.stdin.end();
    });
  }

  api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult> {
    return new Promise((resolveP, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = request({ socketPath: this.socket, method, path, headers: { ...(data !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown = undefined;
          try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
          resolveP({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Removes everything the daemon made, then the daemon and its directories. */
  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const r = await this.api('GET', '/containers/json?all=1').catch(() => null);
      for (const c of (r?.json as { Id: string }[] | undefined) ?? []) {
        await this.api('DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
      }
      await this.api('POST', '/networks/prune').catch(() => undefined);
    }
    const bridges = this.#bridges();
    const netns = this.#netnsNames();
    await this.stopDaemon();
    await this.#removeNetworking(bridges, netns);
    await this.#killStrays();
    await this.#unmountAll();
    this.#removeCgroups();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The Linux bridges of this daemon's networks (read from its network records). */
  #bridges(): string[] {
    const dir = join(this.dataRoot, 'network');
    const out = [this.bridge];
    if (!existsSync(dir)) return out;
    for (const f of readdirSync(dir)) {
      try { const b = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { bridge?: string }).bridge; if (b) out.push(b); } catch { /* partial */ }
    }
    return [...new Set(out)];
  }

  /** berthd names its namespaces berth-<sha256(data root)[:6]>-<id12>. */
  get netnsPrefix(): string {
    return `berth-${createHash('sha256').update(this.dataRoot).digest('hex').slice(0, 6)}-`;
  }

  #netnsNames(): string[] {
    if (!existsSync('/run/netns')) return [];
    return readdirSync('/run/netns').filter((n) => n.startsWith(this.netnsPrefix));
  }

  async #removeNetworking(bridges: string[], netns: string[]): Promise<void> {
    for (const n of netns) await execFileP('ip', ['netns', 'del', n]).catch(() => undefined);
    for (const b of bridges) await execFileP('ip', ['link', 'del', b]).catch(() => undefined);
    await execFileP('nft', ['delete', 'table', 'inet', this.firewallTable]).catch(() => undefined);
    // FORWARD accept rules carry the comment berth:<table>.
    const fwd = await execFileP('nft', ['-a', 'list', 'chain', 'ip', 'filter', 'FORWARD']).catch(() => null);
    for (const line of fwd?.stdout.split('\n') ?? []) {
      const m = line.includes(`"berth:${this.firewallTable}"`) ? /# handle (\d+)/.exec(line) : null;
      if (m) await execFileP('nft', ['delete', 'rule', 'ip', 'filter', 'FORWARD', 'handle', m[1]!]).catch(() => undefined);
    }
  }

  async #killStrays(): Promise<void> {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmd = '';
      try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
      if (cmd.includes(this.execRoot) || cmd.includes(this.dataRoot)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
    }
    for (const rt of ['crun', 'runc']) {
      const root = join(this.execRoot, 'runtime', rt);
      if (!existsSync(root)) continue;
      for (const id of readdirSync(root)) {
        await execFileP(rt === 'crun' ? '/usr/bin/crun' : '/usr/sbin/runc', [`--root=${root}`, 'delete', '--force', id]).catch(() => undefined);
      }
    }
  }

  async #unmountAll(): Promise<void> {
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && m.startsWith(this.dir));
    for (const m of mounts.sort().reverse()) await execFileP('umount', ['-l', m]).catch(() => undefined);
  }

  #removeCgroups(): void {
    for (const ctrl of readdirSync('/sys/fs/cgroup')) {
      const dir = join('/sys/fs/cgroup', ctrl, this.cgroupParent);
      if (!existsSync(dir)) continue;
      for (const sub of readdirSync(dir, { withFileTypes: true })) if (sub.isDirectory()) { try { rmdirSync(join(dir, sub.name)); } catch { /* busy */ } }
      try { rmdirSync(dir); } catch { /* busy */ }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until fn returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) return last;
    await sleep(stepMs);
  }
}
