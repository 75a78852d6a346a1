// berthd's configuration: command-line flags over daemon.json over defaults. Keys in
// daemon.json use dockerd's names where dockerd has them ("data-root", "exec-root", "hosts",
// "default-runtime", "log-level", "cgroup-parent").
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../lib/index.ts';

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
};

const JSON_KEYS: Record<string, keyof DaemonConfig> = {
  hosts: 'hosts', 'data-root': 'dataRoot', 'exec-root': 'execRoot', 'default-runtime': 'runtime',
  'log-level': 'logLevel', pidfile: 'pidFile', 'cgroup-parent': 'cgroupParent', 'shutdown-timeout': 'stopTimeout',
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
  if (!cfg.pidFile) cfg.pidFile = `${cfg.execRoot}/berth.pid`;
  for (const h of cfg.hosts) parseHost(h);
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
