// The two engines under test. Each gets its own data root, exec root, socket, pid file and log
// under the run's work dir, is started detached (its own session, so Ctrl-C reaches only the
// bench, which then stops it in order), and is driven by the real docker CLI and the raw API.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Api } from './api.mjs';
import { createBridge, deleteBerthFirewall, deleteBridge, freeCidr } from './host.mjs';
import { descendants, must, pidAlive, pool, processTable, pssKiB, run, sleep } from './proc.mjs';

export const DOCKER_CLI = '/usr/local/bin/docker';

export class Engine {
  constructor(name, work) {
    this.name = name;
    this.work = work;
    this.dir = join(work, name);
    this.dataRoot = join(this.dir, 'data');
    this.execRoot = join(this.dir, 'exec');
    this.sock = join(this.dir, `${name}.sock`);
    this.pidFile = join(this.dir, `${name}.pid`);
    this.logFile = join(this.dir, `${name}.log`);
    this.pid = 0;
    this.child = null;
    this.exited = null;
    this.api = new Api(this.sock);
    this.apiVersion = null;
    this.version = null;
    /** Set when the engine could not start; every scenario then records it as the error. */
    this.broken = null;
    const env = { ...process.env, DOCKER_CONFIG: join(work, 'docker-cli'), DOCKER_CLI_HINTS: 'false' };
    for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_API_VERSION']) delete env[k];
    this.cliEnv = env;
  }

  /** State needed to clean up after a crashed bench (see stale cleanup in run.mjs). */
  state() {
    return { name: this.name, pid: this.pid, dataRoot: this.dataRoot, execRoot: this.execRoot };
  }

  cli(args, opts = {}) {
    return run(DOCKER_CLI, ['-H', `unix://${this.sock}`, ...args], { env: this.cliEnv, ...opts });
  }

  spawnDaemon(cmd, args) {
    mkdirSync(this.dataRoot, { recursive: true });
    mkdirSync(this.execRoot, { recursive: true });
    const fd = openSync(this.logFile, 'a');
    this.child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.pid = this.child.pid ?? 0;
    this.exited = null;
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
    });
    this.child.on('error', (err) => {
      this.exited = { code: -1, signal: null, error: err.message };
    });
  }

  logTail(lines = 15) {
    try {
      return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async waitReady(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(`${this.name} exited during start-up (${JSON.stringify(this.exited)}); log:\n${this.logTail()}`);
      }
      try {
        this.apiVersion = await this.api.negotiate();
        const v = await this.api.call('GET', '/version');
        this.version = v?.Version ?? 'unknown';
        return;
      } catch (err) {
        last = err.message;
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms (${last}); log:\n${this.logTail()}`);
  }

  async importImage(tar) {
    must(await this.cli(['import', tar, 'busybox:latest'], { timeoutMs: 120_000 }), `${this.name}: docker import`);
    must(await this.cli(['image', 'inspect', 'busybox:latest']), `${this.name}: docker image inspect`);
  }

  /**
   * Force-removes every container the engine knows (all are ours: the engine is private) and waits
   * until the list is empty. 404 and 409 ("removal already in progress") are not errors here.
   */
  async removeAll(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    let list = await this.api.list(true);
    const n = list.length;
    while (list.length) {
      const errors = [];
      await pool(list.length, 10, async (i) => {
        try {
          await this.api.remove(list[i].Id, true);
        } catch (err) {
          if (err.status !== 404 && err.status !== 409) errors.push(err);
        }
      });
      list = await this.api.list(true);
      if (!list.length) break;
      if (Date.now() > deadline) throw errors[0] ?? new Error(`${list.length} container(s) still there after ${timeoutMs} ms`);
      await sleep(250);
    }
    return n;
  }

  /** Daemon, its descendants, and host processes whose command line names our roots (shims, conmon). */
  helperProcs(table = processTable()) {
    const byPid = new Map();
    if (this.pid && pidAlive(this.pid)) {
      const self = table.find((p) => p.pid === this.pid);
      if (self) byPid.set(self.pid, self);
      for (const d of descendants(table, this.pid)) byPid.set(d.pid, d);
    }
    for (const p of table) {
      if (p.pid === process.pid) continue;
      if (p.cmdline.includes(this.dataRoot) || p.cmdline.includes(this.execRoot)) byPid.set(p.pid, p);
    }
    return [...byPid.values()];
  }

  /** PSS of the daemon and its helpers, without the containers' own processes. */
  memory() {
    const procs = this.helperProcs().filter((p) => p.hostNs && p.state !== 'Z');
    const byComm = {};
    let total = 0;
    for (const p of procs) {
      const kib = pssKiB(p.pid);
      total += kib;
      byComm[p.comm] ??= { count: 0, pssKiB: 0 };
      byComm[p.comm].count++;
      byComm[p.comm].pssKiB += kib;
    }
    return { totalKiB: total, byComm };
  }

  /** Stops the daemon: remove containers, SIGTERM, wait, SIGKILL. */
  async stop() {
    const notes = [];
    if (this.pid && pidAlive(this.pid) && !this.exited) {
      try {
        await Promise.race([this.removeAll(), sleep(90_000).then(() => Promise.reject(new Error('timed out')))]);
      } catch (err) {
        notes.push(`${this.name}: removing containers: ${err.message}`);
      }
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 300 && pidAlive(this.pid); i++) await sleep(100);
      if (pidAlive(this.pid)) {
        notes.push(`${this.name}: did not stop in 30 s, killed`);
        try {
          process.kill(this.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    this.api.close();
    // Whatever still names our roots (containerd, shims, conmon) is killed by cleanup.sweep().
    return notes;
  }
}

/**
 * Debian's dockerd 20.10 with its own containerd. Host-clean flags: no iptables/ip6tables rules, no
 * ip_forward or masquerade changes, no userland proxy, a private bridge we create (so no docker0
 * and no clash with another dockerd), a private cgroup parent and an empty config file (the host's
 * /etc/docker/daemon.json does not apply). `docker run` keeps its default bridge network.
 */
export class Dockerd extends Engine {
  constructor(work, runId) {
    super('dockerd', work);
    this.bridge = `bbd${runId}`.slice(0, 15);
    this.cgroupParent = `/berth-bench-${runId}-dockerd`;
    this.bridgeCreated = false;
    this.args = [];
  }

  state() {
    return { ...super.state(), bridge: this.bridge, cgroupParent: this.cgroupParent };
  }

  async start() {
    mkdirSync(this.dir, { recursive: true });
    this.cidr = await createBridge(this.bridge);
    this.bridgeCreated = true;
    const config = join(this.dir, 'daemon.json');
    writeFileSync(config, '{}\n');
    this.args = [
      '--config-file', config,
      '--data-root', this.dataRoot,
      '--exec-root', this.execRoot,
      '--pidfile', this.pidFile,
      '-H', `unix://${this.sock}`,
      '--storage-driver', 'overlay2',
      '--bridge', this.bridge,
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      // Docker's default: published ports are served by docker-proxy processes (with
      // --iptables=false, so the host's firewall is left alone; real dockerd adds rules too).
      '--userland-proxy=true',
      '--cgroup-parent', this.cgroupParent,
    ];
    this.spawnDaemon('/usr/sbin/dockerd', this.args);
    await this.waitReady(60_000);
  }

  async stop() {
    const notes = await super.stop();
    if (this.bridgeCreated) {
      if (await deleteBridge(this.bridge)) this.bridgeCreated = false;
      else notes.push(`dockerd: could not delete bridge ${this.bridge}`);
    }
    return notes;
  }
}

/**
 * berthd from dist/berthd.js (node scripts/build.mjs). --config-file (an empty one), --pidfile,
 * --runtime and --cgroup-parent are passed only when its --help lists them.
 */
export class Berthd extends Engine {
  constructor(work, runId, { script, runtime, extraArgs = [] }) {
    super('berthd', work);
    this.script = script;
    this.runtime = runtime;
    this.extraArgs = extraArgs;
    this.cgroupParent = `/berth-bench-${runId}-berthd`;
    this.usesCgroupParent = false;
    // berthd's own bridge and nftables table, named for this run and removed at stop.
    this.bridge = `bbb${runId}`.slice(0, 15);
    this.firewallTable = `berth-bench-${runId}`;
    this.args = [];
  }

  state() {
    return { ...super.state(), cgroupParent: this.usesCgroupParent ? this.cgroupParent : null, bridge: this.bridge, firewallTable: this.firewallTable };
  }

  async start() {
    if (!existsSync(this.script)) throw new Error(`${this.script} missing (build it: node scripts/build.mjs)`);
    mkdirSync(this.dir, { recursive: true });
    const help = await run(process.execPath, [this.script, '--help'], { timeoutMs: 15_000 });
    const flags = help.stdout + help.stderr;
    this.args = [this.script, '--data-root', this.dataRoot, '--exec-root', this.execRoot, '-H', `unix://${this.sock}`];
    if (flags.includes('--config-file')) {
      // an empty config, so /etc/berth/daemon.json (if any) does not apply, as for dockerd
      const config = join(this.dir, 'daemon.json');
      writeFileSync(config, '{}\n');
      this.args.push('--config-file', config);
    }
    if (flags.includes('--pidfile')) this.args.push('--pidfile', this.pidFile);
    if (flags.includes('--runtime')) this.args.push('--runtime', this.runtime);
    if (flags.includes('--cgroup-parent')) {
      this.args.push('--cgroup-parent', this.cgroupParent);
      this.usesCgroupParent = true;
    }
    if (flags.includes('--firewall-table')) {
      this.args.push('--bridge', this.bridge, '--firewall-table', this.firewallTable, '--bip', await freeCidr('10.232'));
    }
    this.args.push(...this.extraArgs);
    // BENCH_BERTHD_NODE_ARGS: node flags for berthd only (e.g. --cpu-prof --cpu-prof-dir=DIR to profile a bench run).
    const nodeArgs = (process.env.BENCH_BERTHD_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.spawnDaemon(process.execPath, [...nodeArgs, ...this.args]);
    await this.waitReady(60_000);
  }

  async stop() {
    const notes = await super.stop();
    await deleteBerthFirewall(this.firewallTable);
    if (!(await deleteBridge(this.bridge))) notes.push(`berthd: could not delete bridge ${this.bridge}`);
    return notes;
  }
}
