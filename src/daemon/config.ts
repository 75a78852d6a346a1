// berthd's configuration: command-line flags over daemon.json over defaults. Keys in
// daemon.json use dockerd's names where dockerd has them ("data-root", "exec-root", "hosts",
// "default-runtime", "log-level", "cgroup-parent").
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../lib/index.ts';
import { parseAlertRules, type AlertRule } from '../alerts/index.ts';
import { validateLogConfig } from '../logdriver/index.ts';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  runtime: 'crun' | 'runc';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  pidFile: string;
  cgroupParent: string;
  configFile: string;
  stopTimeout: number;
  /** The default bridge's address and prefix (dockerd --bip). Not Docker's 172.17/16, so both engines fit on one host. */
  bip: string;
  /** The default bridge's Linux name (dockerd -b/--bridge). */
  bridge: string;
  /** Where new networks' subnets come from (dockerd default-address-pools). */
  defaultAddressPools: { base: string; size: number }[];
  /** berth's nftables table (inet family). */
  firewallTable: string;
  /** host:port of the Prometheus endpoint (dockerd metrics-addr); empty: none. */
  metricsAddr: string;
  /** Alert rules (daemon.json "alerts"): event filters and the webhooks they go to. */
  alerts: AlertRule[];
  /** Every container gets no-new-privileges unless its security-opt says otherwise (dockerd --no-new-privileges). */
  noNewPrivileges: boolean;
  /** TLS on TCP listeners (dockerd --tls); false = plain TCP, explicitly; undefined = not said. */
  tls?: boolean;
  /** Mutual TLS on TCP listeners (dockerd --tlsverify). */
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** dockerd --userns-remap: "default", or <user>[:<group>]; "" = off. */
  usernsRemap: string;
  /** Group that may use the unix socket when it exists (dockerd -G); root only otherwise. */
  group: string;
  /** Registries spoken to over plain HTTP (host[:port] or CIDR; loopback always is). */
  insecureRegistries: string[];
  /** Mirrors of Docker Hub (daemon.json registry-mirrors). */
  registryMirrors: string[];
  /** Default log driver of new containers (dockerd log-driver). */
  logDriver: string;
  /** Its options (dockerd log-opts). */
  logOpts: Record<string, string>;
  /** Graph driver (dockerd --storage-driver / "storage-driver"): overlay2, vfs or btrfs; '' = chosen at start. */
  storageDriver: string;
}

export const DEFAULTS: DaemonConfig = {
  hosts: ['unix:///run/berth/berth.sock'],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  runtime: 'crun',
  logLevel: 'info',
  pidFile: '',
  cgroupParent: '/berth',
  configFile: '/etc/berth/daemon.json',
  stopTimeout: 10,
  bip: '10.213.0.1/16',
  bridge: 'berth0',
  defaultAddressPools: [{ base: '10.214.0.0/16', size: 24 }, { base: '10.215.0.0/16', size: 24 }],
  firewallTable: 'berth',
  metricsAddr: '',
  alerts: [],
  noNewPrivileges: false,
  group: 'berth',
  usernsRemap: '',
  insecureRegistries: [],
  registryMirrors: [],
  logDriver: 'json-file',
  logOpts: {},
  storageDriver: '',
};

const JSON_KEYS: Record<string, keyof DaemonConfig> = {
  hosts: 'hosts', 'data-root': 'dataRoot', 'exec-root': 'execRoot', 'default-runtime': 'runtime',
  'log-level': 'logLevel', pidfile: 'pidFile', 'cgroup-parent': 'cgroupParent', 'shutdown-timeout': 'stopTimeout',
  bip: 'bip', bridge: 'bridge', 'default-address-pools': 'defaultAddressPools', 'firewall-table': 'firewallTable', 'metrics-addr': 'metricsAddr', alerts: 'alerts',
  'no-new-privileges': 'noNewPrivileges',
  tls: 'tls', tlsverify: 'tlsVerify', tlscacert: 'tlsCaCert', tlscert: 'tlsCert', tlskey: 'tlsKey', group: 'group', 'userns-remap': 'usernsRemap',
  'insecure-registries': 'insecureRegistries', 'registry-mirrors': 'registryMirrors',
  'log-driver': 'logDriver', 'log-opts': 'logOpts',
  'storage-driver': 'storageDriver',
};

export async function loadConfig(flags: Partial<DaemonConfig>, explicitConfigFile: boolean): Promise<DaemonConfig> {
  const cfgPath = flags.configFile ?? DEFAULTS.configFile;
  let fromFile: Partial<DaemonConfig> = {};
  let text: string | null = null;
  try {
    text = await readFile(cfgPath, 'utf8');
  } catch (err) {
    if (explicitConfigFile) throw new InvalidArgumentError(`unable to read config file ${cfgPath}: ${(err as Error).message}`);
  }
  if (text !== null && text.trim() !== '') {
    let raw: unknown;
    try { raw = JSON.parse(text); } catch (err) { throw new InvalidArgumentError(`invalid config file ${cfgPath}: ${(err as Error).message}`); }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidArgumentError(`invalid config file ${cfgPath}: not a JSON object`);
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const key = JSON_KEYS[k];
      if (!key) throw new InvalidArgumentError(`the following directives don't match any configuration option: ${k}`);
      (fromFile as Record<string, unknown>)[key] = v;
    }
  }
  const cfg: DaemonConfig = { ...DEFAULTS, ...fromFile, ...stripUndefined(flags) };
  if (flags.hosts && fromFile.hosts) {
    throw new InvalidArgumentError('the following directives are specified both as a flag and in the configuration file: hosts');
  }
  if (cfg.runtime !== 'crun' && cfg.runtime !== 'runc') throw new InvalidArgumentError(`unknown runtime ${String(cfg.runtime)}: use crun or runc`);
  if (!['debug', 'info', 'warn', 'error'].includes(cfg.logLevel)) throw new InvalidArgumentError(`invalid log level: ${cfg.logLevel}`);
  if (typeof cfg.noNewPrivileges !== 'boolean') throw new InvalidArgumentError('invalid no-new-privileges: true or false');
  if (typeof cfg.storageDriver !== 'string') throw new InvalidArgumentError('invalid storage-driver: a driver name (overlay2, vfs, btrfs)');
  if (!cfg.pidFile) cfg.pidFile = `${cfg.execRoot}/berth.pid`;
  for (const h of cfg.hosts) parseHost(h);
  cfg.alerts = parseAlertRules(cfg.alerts);
  if (typeof cfg.logDriver !== 'string' || cfg.logOpts === null || typeof cfg.logOpts !== 'object' || Array.isArray(cfg.logOpts)) {
    throw new InvalidArgumentError('invalid log-driver/log-opts: a driver name and an object of string options');
  }
  try {
    validateLogConfig({ Type: cfg.logDriver, Config: cfg.logOpts });
  } catch (err) {
    throw new InvalidArgumentError(`invalid default log configuration: ${(err as Error).message}`);
  }
  if (!/^[0-9.]+\/\d+$/.test(cfg.bip)) throw new InvalidArgumentError(`invalid bip ${cfg.bip}: give an IPv4 address with its prefix, e.g. 10.213.0.1/16`);
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(cfg.bridge)) throw new InvalidArgumentError(`invalid bridge name ${cfg.bridge}`);
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(cfg.firewallTable)) throw new InvalidArgumentError(`invalid firewall table name ${cfg.firewallTable}`);
  if (!Array.isArray(cfg.defaultAddressPools) || cfg.defaultAddressPools.some((p) => typeof p?.base !== 'string' || typeof p?.size !== 'number' || p.size < 8 || p.size > 30)) {
    throw new InvalidArgumentError('invalid default-address-pools: a list of {"base": "10.214.0.0/16", "size": 24}');
  }
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export type Listen = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export function parseHost(h: string): Listen {
  if (h.startsWith('unix://')) return { kind: 'unix', path: h.slice('unix://'.length) || '/run/berth/berth.sock' };
  if (h.startsWith('/')) return { kind: 'unix', path: h };
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(h);
  if (m) return { kind: 'tcp', host: m[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(m[2] ?? 2375) };
  throw new InvalidArgumentError(`invalid host: ${h}`);
}
