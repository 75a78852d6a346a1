// berthd's main: flags → config → host preparation → wiring → start-up reconcile → listen.
// SIGTERM/SIGINT close the API and leave containers running (live-restore is the default:
// conmon keeps them and their logs; the next berthd re-adopts them).
import { Command } from 'commander';
import { pino } from 'pino';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { messageOf, type Logger } from '../lib/index.ts';
import { loadConfig, parseHost, type DaemonConfig } from './config.ts';
import { firstExisting, hostFacts, prepareForCrun, removeCgroupParent } from './host.ts';
import { wire } from './wire.ts';
import { readOnlyBinding, releaseReadOnlyBindings } from '../runtime/index.ts';
import { MetricsServer } from '../metrics/index.ts';
import { startIdleTrim } from './idle-trim.ts';
import { ensureExecRootTmpfs, releaseExecRootTmpfs } from './exec-root-tmpfs.ts';
import { openForRemappedRoot, remappedDataRoot, resolveRemap, type IdRemap } from './userns-remap.ts';
import { logTcpSecurity, socketGroup, tcpSecurity, type TcpSecurity } from './listeners.ts';
import { removeLeftoverBuildContainers } from './build-runner.ts';
import { BERTH_VERSION } from './system-info.ts';
import { selectGraphDriver } from '../layer/index.ts';

function flagBool(name: string, v: boolean | string): boolean {
  if (v === true || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  process.stderr.write(`berthd: invalid value for ${name}: ${String(v)}\n`);
  process.exit(1);
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

async function otherDaemonAlive(pidFile: string): Promise<number | null> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!pid || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmd.includes('berthd') ? pid : null;
  } catch {
    return null;
  }
}

export async function main(argv: string[]): Promise<void> {
  // libuv's pool keeps Node's 4 threads: the ESM loader starts it before this runs (so setting
  // UV_THREADPOOL_SIZE here has no effect), and 16 measured slower for 50 starts (interleaved
  // pairs: wall 1.6/2.2/2.1 s with 4 against 3.4/2.9/3.0 s with 16).
  const program = new Command('berthd')
    .description('berth daemon: serves the Docker Engine API')
    .version(BERTH_VERSION, '-v, --version')
    .option('-H, --host <socket>', 'daemon socket(s) to listen on (unix:///path or tcp://host:port)', collect)
    .option('--data-root <dir>', 'root directory of persistent state')
    .option('--exec-root <dir>', 'root directory of per-boot state')
    .option('--runtime <name>', 'default OCI runtime: crun or runc')
    .option('--config-file <path>', 'daemon configuration file')
    .option('--pidfile <path>', 'path of the daemon pid file')
    .option('--cgroup-parent <path>', 'parent cgroup of all containers')
    .option('-l, --log-level <level>', 'debug, info, warn or error')
    .option('-D, --debug', 'debug logging')
    .option('--bip <cidr>', "the default bridge's address and prefix (default 10.213.0.1/16)")
    .option('-b, --bridge <name>', "the default bridge's interface name (default berth0)")
    .option('--metrics-addr <host:port>', 'serve Prometheus metrics at http://host:port/metrics')
    .option('--firewall-table <name>', "berth's nftables table (inet family; default berth)")
    .option('--no-new-privileges', 'set no-new-privileges by default for new containers')
    .option('--tls [bool]', 'use TLS on TCP listeners; --tls=false listens on TCP without TLS (insecure)')
    .option('--tlsverify [bool]', 'use mutual TLS on TCP listeners: clients need a certificate from --tlscacert')
    .option('--tlscacert <path>', 'CA that client certificates must chain to')
    .option('--tlscert <path>', "the daemon's TLS certificate")
    .option('--tlskey <path>', "the daemon's TLS key")
    .option('--userns-remap <spec>', 'run containers in a user namespace: default or <user>[:<group>] (ranges from /etc/subuid, /etc/subgid)')
    .option('-G, --group <name>', 'group that may use the unix socket, when it exists (default berth)')
    .option('-s, --storage-driver <name>', 'graph driver: overlay2 (default), vfs or btrfs (default when the data root is on btrfs)')
    .option('--insecure-registry <host>', 'registry spoken to over plain HTTP (repeatable; host[:port] or CIDR)', collect)
    .parse(argv, { from: 'user' });
  const o = program.opts<{ host?: string[]; dataRoot?: string; execRoot?: string; runtime?: string; configFile?: string; pidfile?: string; cgroupParent?: string; logLevel?: string; debug?: boolean; bip?: string; bridge?: string; firewallTable?: string; metricsAddr?: string; newPrivileges?: boolean; tls?: boolean | string; tlsverify?: boolean | string; tlscacert?: string; tlscert?: string; tlskey?: string; group?: string; usernsRemap?: string ; insecureRegistry?: string[]; storageDriver?: string }>();
  const flags: Partial<DaemonConfig> = {};
  if (o.host) flags.hosts = o.host;
  if (o.dataRoot) flags.dataRoot = o.dataRoot;
  if (o.execRoot) flags.execRoot = o.execRoot;
  if (o.runtime) flags.runtime = o.runtime as DaemonConfig['runtime'];
  if (o.configFile) flags.configFile = o.configFile;
  if (o.pidfile) flags.pidFile = o.pidfile;
  if (o.cgroupParent) flags.cgroupParent = o.cgroupParent;
  if (o.logLevel) flags.logLevel = o.logLevel as DaemonConfig['logLevel'];
  if (o.debug) flags.logLevel = 'debug';
  if (o.bip) flags.bip = o.bip;
  if (o.bridge) flags.bridge = o.bridge;
  if (o.insecureRegistry) flags.insecureRegistries = o.insecureRegistry;
  if (o.storageDriver !== undefined) flags.storageDriver = o.storageDriver;
  if (o.firewallTable) flags.firewallTable = o.firewallTable;
  if (o.metricsAddr) flags.metricsAddr = o.metricsAddr;
  if (o.newPrivileges === false) flags.noNewPrivileges = true;
  if (o.tls !== undefined) flags.tls = flagBool('--tls', o.tls);
  if (o.tlsverify !== undefined) flags.tlsVerify = flagBool('--tlsverify', o.tlsverify);
  if (o.tlscacert) flags.tlsCaCert = o.tlscacert;
  if (o.tlscert) flags.tlsCert = o.tlscert;
  if (o.tlskey) flags.tlsKey = o.tlskey;
  if (o.group) flags.group = o.group;
  if (o.usernsRemap) flags.usernsRemap = o.usernsRemap;

  let cfg: DaemonConfig;
  try {
    cfg = await loadConfig(flags, o.configFile !== undefined);
  } catch (err) {
    process.stderr.write(`berthd: ${messageOf(err)}\n`);
    process.exit(1);
  }
  const log: Logger = pino({ level: cfg.logLevel, base: { pid: process.pid } }, pino.destination(2));
  await mkdir(cfg.dataRoot, { recursive: true, mode: 0o711 });
  let remap: IdRemap | null = null;
  if (cfg.usernsRemap) {
    try {
      remap = await resolveRemap(cfg.usernsRemap, log);
    } catch (err) {
      process.stderr.write(`berthd: ${messageOf(err)}\n`);
      process.exit(1);
    }
    // The data root must be traversable by the remapped root (dockerd's 0711 too).
    await chmod(cfg.dataRoot, 0o711);
    cfg.dataRoot = await remappedDataRoot(cfg.dataRoot, remap);
    await openForRemappedRoot([join(cfg.dataRoot, 'containers')], remap);
    log.info({ ...remap, dataRoot: cfg.dataRoot }, 'user namespace remapping: container root is an unprivileged host user');
  }
  // The graph driver: a data root keeps the one it was made with (a different one refuses).
  try {
    cfg.storageDriver = (await selectGraphDriver(cfg.dataRoot, cfg.storageDriver)).name;
  } catch (err) {
    process.stderr.write(`berthd: ${messageOf(err)}\n`);
    process.exit(1);
  }
  if (remap !== null) await openForRemappedRoot([join(cfg.dataRoot, cfg.storageDriver)], remap);
  await mkdir(cfg.execRoot, { recursive: true, mode: 0o700 });
  const other = await otherDaemonAlive(cfg.pidFile);
  if (other) {
    log.error({ pid: other, pidFile: cfg.pidFile }, 'another berthd is running with this pid file');
    process.exit(1);
  }
  await ensureExecRootTmpfs(cfg.execRoot, log);
  await mkdir(dirname(cfg.pidFile), { recursive: true });
  await writeFile(cfg.pidFile, `${process.pid}\n`);

  const conmon = await firstExisting(['/usr/bin/conmon', '/usr/libexec/podman/conmon', '/usr/local/bin/conmon']);
  const crun = await firstExisting(['/usr/bin/crun', '/usr/local/bin/crun']);
  const runc = await firstExisting(['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc']);
  const init = await firstExisting(['/usr/bin/catatonit', '/usr/libexec/catatonit/catatonit', '/usr/bin/tini-static', '/usr/bin/tini']);
  if (!conmon || (!crun && !runc)) {
    log.error({ conmon, crun, runc }, 'conmon and crun or runc are required (make deps installs them)');
    await rm(cfg.pidFile, { force: true });
    await releaseExecRootTmpfs(cfg.execRoot, log);
    process.exit(1);
  }
  const runtimes = new Map<string, string>();
  let crunUsable = false;
  if (crun) {
    crunUsable = await prepareForCrun(log);
    if (crunUsable) runtimes.set('crun', crun);
  }
  if (runc) runtimes.set('runc', runc);
  let runtime: string = cfg.runtime;
  if (!runtimes.has(runtime)) {
    const fallback = [...runtimes.keys()][0]!;
    log.warn({ wanted: runtime, using: fallback }, `runtime ${runtime} cannot run on this host; falling back to ${fallback}`);
    runtime = fallback;
  }

  // TCP listeners are checked before anything is started: a refusal leaves nothing behind.
  let tcpSec: TcpSecurity | null = null;
  if (cfg.hosts.some((h) => parseHost(h).kind === 'tcp')) {
    try {
      tcpSec = await tcpSecurity(cfg);
    } catch (err) {
      log.error({ hosts: cfg.hosts }, messageOf(err));
      process.stderr.write(`berthd: ${messageOf(err)}\n`);
      await rm(cfg.pidFile, { force: true });
      await releaseExecRootTmpfs(cfg.execRoot, log);
      process.exit(1);
    }
  }
  const group = await socketGroup(cfg.group);
  const host = await hostFacts(log);
  // crun's exit commands run from a read-only binding (no self-clone at every container exit).
  const exitPaths = new Map<string, string>();
  const crunExit = runtimes.has('crun') ? await readOnlyBinding(runtimes.get('crun')!, join(cfg.execRoot, 'bin')) : null;
  if (crunExit) exitPaths.set('crun', crunExit);
  const w = wire(cfg, host, { conmon, runtimes, exitPaths, initPath: init }, runtime, log, remap);
  // The metrics port is taken before anything touches the host, so a port in use fails cleanly.
  let metricsServer: MetricsServer | null = null;
  if (cfg.metricsAddr) {
    metricsServer = new MetricsServer(await w.enableMetrics(), log.child({ module: 'metrics' }));
    try {
      const port = await metricsServer.listen(cfg.metricsAddr);
      log.info({ metricsAddr: cfg.metricsAddr, port }, 'serving Prometheus metrics at /metrics');
    } catch (err) {
      log.error({ err: messageOf(err) }, 'cannot serve metrics');
      process.stderr.write(`berthd: ${messageOf(err)}\n`);
      await rm(cfg.pidFile, { force: true });
      await releaseReadOnlyBindings(join(cfg.execRoot, 'bin'));
      await releaseExecRootTmpfs(cfg.execRoot, log);
      process.exit(1);
    }
  }
  const t0 = performance.now();
  await w.images.init();
  await w.distribution.init();
  await w.archive.init();
  await w.networks.init();
  await w.volumes.init();
  await w.buildStore.init();
  const restored = await w.containers.init();
  await removeLeftoverBuildContainers(w.containers);
  log.info({ ms: Math.round(performance.now() - t0), ...restored }, 'state loaded');

  for (const h of cfg.hosts) {
    const l = parseHost(h);
    if (l.kind === 'unix') {
      await mkdir(dirname(l.path), { recursive: true });
      await w.api.listenUnix(l.path);
      if (group !== null) await chown(l.path, 0, group);
      log.info({ socket: l.path, mode: '0660', group: group === null ? 'root' : cfg.group }, 'unix socket');
    } else if (tcpSec !== null) {
      logTcpSecurity(log, h, tcpSec);
      await w.api.listenTcp(l.host, l.port, tcpSec.kind === 'plain' ? undefined : tcpSec.tls);
    }
  }
  log.info({ hosts: cfg.hosts, dataRoot: cfg.dataRoot, execRoot: cfg.execRoot, runtime, version: BERTH_VERSION }, 'berthd is serving the Docker Engine API');
  const stopIdleTrim = startIdleTrim(() => w.api.requestsStarted, log);

  let stopping = false;
  const shutdown = async (sig: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'shutting down; containers keep running');
    w.containers.shutdown();
    stopIdleTrim();
    metricsServer?.close();
    await w.networks.close();
    await w.api.close();
    for (const h of cfg.hosts) {
      const l = parseHost(h);
      if (l.kind === 'unix') await rm(l.path, { force: true });
    }
    await rm(cfg.pidFile, { force: true });
    if (w.containers.counts().running + w.containers.counts().paused === 0) {
      await removeCgroupParent(cfg.cgroupParent);
      await releaseReadOnlyBindings(join(cfg.execRoot, 'bin'));
      await releaseExecRootTmpfs(cfg.execRoot, log);
    }
    process.exit(0);
  };
  // SIGHUP reloads daemon.json as dockerd does: the options that can change without a restart
  // (shutdown timeout, the no-new-privileges default) apply, and a `daemon reload` event says
  // so. Anything else in the file (the log level among them) is checked but needs a restart.
  process.on('SIGHUP', () => {
    void loadConfig(flags, o.configFile !== undefined).then((next) => {
      w.containers.reloadOptions({ stopTimeout: next.stopTimeout, noNewPrivileges: next.noNewPrivileges });
      w.events.publish('daemon', 'reload', w.daemonId, {
        name: hostname(), 'shutdown-timeout': String(next.stopTimeout),
        'no-new-privileges': String(next.noNewPrivileges === true), 'default-runtime': runtime,
      });
      log.info({ stopTimeout: next.stopTimeout, noNewPrivileges: next.noNewPrivileges }, 'configuration reloaded');
    }, (err: unknown) => log.error({ err: messageOf(err) }, 'configuration reload failed; keeping the running configuration'));
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('uncaughtException', (err) => { log.error({ err }, 'uncaught exception'); });
  process.on('unhandledRejection', (err) => { log.error({ err }, 'unhandled rejection'); });
}
