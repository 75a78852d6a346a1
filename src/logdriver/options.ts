// Log driver configuration: which drivers exist, which options each takes, their defaults,
// and the validation done at create (moby daemon/logger/factory.go ValidateLogOpts and each
// driver's ValidateLogOpt, with Docker's wording, because the docker CLI prints it as is).
import { InvalidArgumentError } from '../lib/index.ts';
import { validateAttrOptions } from './attrs.ts';

export interface LogConfig { Type: string; Config: Record<string, string> }

export const DRIVERS = ['json-file', 'local', 'none', 'syslog', 'gelf', 'fluentd', 'k8s-file'] as const;
export type DriverName = typeof DRIVERS[number];

// Options every driver takes (moby builtInLogOpts plus the attribute options most share).
const COMMON = ['mode', 'max-buffer-size'];
const ATTRS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag'];
const OPTS: Record<DriverName, string[]> = {
  'json-file': ['max-size', 'max-file', 'compress', ...ATTRS],
  local: ['max-size', 'max-file', 'compress'],
  none: [],
  syslog: ['syslog-address', 'syslog-facility', 'syslog-format', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key', 'syslog-tls-skip-verify', ...ATTRS],
  gelf: ['gelf-address', 'gelf-compression-type', 'gelf-compression-level', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay', ...ATTRS],
  fluentd: ['fluentd-address', 'fluentd-async', 'fluentd-async-connect', 'fluentd-buffer-limit', 'fluentd-retry-wait', 'fluentd-max-retries',
    'fluentd-sub-second-precision', 'fluentd-request-ack', 'fluentd-read-timeout', ...ATTRS],
  'k8s-file': ['max-size'],
};

export const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** The driver and options a container gets: its own, or the daemon's default (moby daemon/create.go). */
export function resolveLogConfig(requested: Partial<LogConfig> | undefined | null, daemonDefault: LogConfig): LogConfig {
  const type = requested?.Type ?? '';
  if (type === '') return { Type: daemonDefault.Type, Config: { ...daemonDefault.Config, ...(requested?.Config ?? {}) } };
  const config = requested?.Config ?? {};
  // Like moby: the daemon's default options apply when the container names the same driver and no options.
  if (type === daemonDefault.Type && Object.keys(config).length === 0) return { Type: type, Config: { ...daemonDefault.Config } };
  return { Type: type, Config: { ...config } };
}

/** Throws InvalidArgumentError (HTTP 400) in Docker's words for an unknown driver or option. */
export function validateLogConfig(cfg: LogConfig): void {
  const name = cfg.Type;
  const opts = cfg.Config ?? {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new InvalidArgumentError('invalid LogConfig.Config: want an object of strings');
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`invalid log opt '${k}': value must be a string`);
  }
  if (name === 'none') {
    if (Object.keys(opts).length > 0) throw new InvalidArgumentError(`unknown log opt '${Object.keys(opts)[0]}' for none log driver`);
    return;
  }
  const mode = opts.mode ?? '';
  if (!['', 'blocking', 'non-blocking'].includes(mode)) throw new InvalidArgumentError(`logger: logger option 'mode' must be one of "blocking" or "non-blocking"`);
  if (opts['max-buffer-size'] !== undefined) {
    if (mode !== 'non-blocking') throw new InvalidArgumentError(`logger: option 'max-buffer-size' is only valid with "non-blocking" mode`);
    parseSize(opts['max-buffer-size'], 'max-buffer-size', 1024);
  }
  if (!(DRIVERS as readonly string[]).includes(name)) throw new InvalidArgumentError(`logger: no log driver named '${name}' is registered`);
  const known = OPTS[name as DriverName];
  for (const k of Object.keys(opts)) {
    if (COMMON.includes(k) || known.includes(k)) continue;
    throw new InvalidArgumentError(name === 'local' ? `unknown log opt '${k}' for log driver local` : `unknown log opt '${k}' for ${name} log driver`);
  }
  if (known.includes('tag')) validateAttrOptions(opts);
  switch (name) {
    case 'json-file': case 'local': fileOptions(name, opts); break;
    case 'syslog': syslogOptions(opts); break;
    case 'gelf': gelfOptions(opts); break;
    case 'fluentd': fluentdOptions(opts); break;
    default: break;
  }
}

/** Docker's units: "10k", "20m", "1g" (k = 1000 for max-size; binary for buffer sizes). */
export function parseSize(s: string, what: string, unit: 1000 | 1024): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`invalid ${what} '${s}': want a size such as 10m`);
  const pow = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.floor(Number(m[1]) * unit ** pow);
}

export interface FileOptions { maxSize: number; maxFile: number; compress: boolean }

/** json-file/local: berth rotates by default (20m × 5), unlike Docker's unbounded json-file. */
export function fileOptions(name: 'json-file' | 'local', opts: Record<string, string>): FileOptions {
  const maxSize = opts['max-size'] === undefined ? 20_000_000 : opts['max-size'] === '-1' ? 0 : parseSize(opts['max-size'], 'max-size', 1000);
  if (opts['max-size'] !== undefined && opts['max-size'] !== '-1' && maxSize <= 0) throw new InvalidArgumentError('max-size must be a positive number');
  let maxFile = 5;
  if (opts['max-file'] !== undefined) {
    if (!/^-?\d+$/.test(opts['max-file'])) throw new InvalidArgumentError(`invalid max-file '${opts['max-file']}': want an integer`);
    maxFile = Number(opts['max-file']);
    if (maxFile < 1) throw new InvalidArgumentError('max-file cannot be less than 1');
  }
  let compress = name === 'local';
  if (opts.compress !== undefined) {
    if (!['true', 'false', '1', '0'].includes(opts.compress)) throw new InvalidArgumentError(`error reading compress log option: invalid syntax '${opts.compress}'`);
    compress = opts.compress === 'true' || opts.compress === '1';
  }
  if (compress && maxFile === 1 && opts.compress !== undefined) throw new InvalidArgumentError('compression cannot be enabled when max file count is 1');
  if (maxFile === 1) compress = false;
  if (maxSize === 0) return { maxSize: 0, maxFile: 1, compress: false };
  return { maxSize, maxFile, compress };
}

/** tls: syslog's tcp+tls://; unixgram: a unix datagram socket (rsyslog's /dev/log is one). */
export interface Address { proto: 'tcp' | 'udp' | 'unix' | 'unixgram' | 'tls'; host: string; port: number; path: string }

export function parseAddress(raw: string, what: string, defaults: { proto: Address['proto']; port: number }, allowed: Address['proto'][]): Address {
  const m = /^(?:([a-z+]+):\/\/)?(.*)$/.exec(raw)!;
  const scheme = m[1] ?? defaults.proto;
  const rest = m[2]!;
  if (scheme === 'unix' || scheme === 'unixgram') {
    if (!allowed.includes(scheme)) throw new InvalidArgumentError(`${what}: ${scheme} sockets are not supported: '${raw}'`);
    if (!rest.startsWith('/')) throw new InvalidArgumentError(`${what}: want an absolute socket path: '${raw}'`);
    return { proto: scheme, host: '', port: 0, path: rest };
  }
  const proto = scheme === 'tcp+tls' ? 'tls' : scheme;
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'tls') throw new InvalidArgumentError(`${what}: unsupported protocol '${scheme}' in '${raw}'`);
  if (!allowed.includes(proto)) throw new InvalidArgumentError(`${what}: ${scheme} is not supported: '${raw}'`);
  const hp = /^(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(rest);
  if (!hp || hp[1] === '') throw new InvalidArgumentError(`${what}: invalid address '${raw}'`);
  const port = hp[2] === undefined ? defaults.port : Number(hp[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${what}: invalid port in '${raw}'`);
  return { proto, host: hp[1]!.replace(/^\[|\]$/g, ''), port, path: '' };
}

export interface TlsFiles { ca?: string; cert?: string; key?: string; skipVerify: boolean }

export interface SyslogOptions {
  /** null: Docker's default, /dev/log as a datagram socket, else as a stream socket. */
  address: Address | null;
  facility: number; format: 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';
  /** For tcp+tls:// only (moby parseTLSConfig); the files are read when the driver opens. */
  tls: TlsFiles;
}

export function syslogOptions(opts: Record<string, string>): SyslogOptions {
  const raw = opts['syslog-address'] ?? '';
  const address = raw === '' ? null : parseAddress(raw, 'syslog-address', { proto: 'udp', port: 514 }, ['tcp', 'udp', 'unix', 'unixgram', 'tls']);
  const f = opts['syslog-facility'] ?? 'daemon';
  let facility = FACILITIES[f];
  if (facility === undefined && /^\d+$/.test(f) && Number(f) <= 23) facility = Number(f);
  if (facility === undefined) throw new InvalidArgumentError('invalid syslog facility');
  const format = (opts['syslog-format'] ?? '') || 'unix';
  if (!['unix', 'rfc3164', 'rfc5424', 'rfc5424micro'].includes(format)) throw new InvalidArgumentError(`Invalid syslog format: ${format}`);
  // moby parseTLSConfig (`_, skipVerify := cfg["syslog-tls-skip-verify"]`): the option's
  // presence means skip, whatever its value, "false" included (berthd logs a warning then).
  const tls: TlsFiles = { skipVerify: Object.hasOwn(opts, 'syslog-tls-skip-verify') };
  if (opts['syslog-tls-ca-cert']) tls.ca = opts['syslog-tls-ca-cert'];
  if (opts['syslog-tls-cert']) tls.cert = opts['syslog-tls-cert'];
  if (opts['syslog-tls-key']) tls.key = opts['syslog-tls-key'];
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new InvalidArgumentError('syslog-tls-cert and syslog-tls-key must be given together');
  return { address, facility, format: format as SyslogOptions['format'], tls };
}

/** How a stream sender reconnects: delay × factor^attempt (≤ maxDelayMs), maxRetries attempts (then drops). */
export interface RetryPolicy { delayMs: number; factor: number; maxDelayMs: number; maxRetries: number }

export const DEFAULT_RETRY: RetryPolicy = { delayMs: 250, factor: 2, maxDelayMs: 30_000, maxRetries: Infinity };

function intOpt(opts: Record<string, string>, key: string, def: number, what = `"${key}" must be a positive integer`): number {
  const v = opts[key];
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(what);
  return Number(v);
}

function boolOpt(opts: Record<string, string>, k: string): boolean {
  const v = opts[k];
  if (v === undefined || v === '') return false;
  if (!['true', 'false', '1', '0'].includes(v)) throw new InvalidArgumentError(`invalid ${k} '${v}': want true or false`);
  return v === 'true' || v === '1';
}

export interface GelfOptions { address: Address; compression: 'gzip' | 'zlib' | 'none'; level: number; retry: RetryPolicy }

export function gelfOptions(opts: Record<string, string>): GelfOptions {
  const raw = opts['gelf-address'];
  if (raw === undefined || raw === '') throw new InvalidArgumentError('gelf-address is a required parameter');
  if (!/^(udp|tcp):\/\//.test(raw)) throw new InvalidArgumentError('gelf: endpoint needs to be TCP or UDP');
  const address = parseAddress(raw, 'gelf-address', { proto: 'udp', port: 12201 }, ['tcp', 'udp']);
  if (!/:\d+\/?$/.test(raw)) throw new InvalidArgumentError('gelf-address should be in form proto://address:port');
  const compression = (opts['gelf-compression-type'] ?? 'gzip') as GelfOptions['compression'];
  if (!['gzip', 'zlib', 'none'].includes(compression)) throw new InvalidArgumentError(`unknown gelf compression type "${compression}"`);
  let level = 1;
  if (opts['gelf-compression-level'] !== undefined) {
    level = Number(opts['gelf-compression-level']);
    if (!/^-?\d+$/.test(opts['gelf-compression-level']) || level < -1 || level > 9) throw new InvalidArgumentError('gelf-compression-level must be an integer from -1 to 9');
  }
  if (address.proto === 'tcp' && (opts['gelf-compression-type'] !== undefined || opts['gelf-compression-level'] !== undefined)) {
    throw new InvalidArgumentError('Compression is not supported with TCP protocol');
  }
  // go-gelf's TCPWriter: MaxReconnect attempts ReconnectDelay seconds apart (defaults 3 and 1 s).
  const maxReconnect = intOpt(opts, 'gelf-tcp-max-reconnect', 3);
  const delay = intOpt(opts, 'gelf-tcp-reconnect-delay', 1);
  if (address.proto === 'udp' && (opts['gelf-tcp-max-reconnect'] !== undefined || opts['gelf-tcp-reconnect-delay'] !== undefined)) {
    throw new InvalidArgumentError('gelf-tcp-max-reconnect and gelf-tcp-reconnect-delay are only valid with TCP');
  }
  return {
    address, compression: address.proto === 'tcp' ? 'none' : compression, level,
    retry: { delayMs: delay * 1000, factor: 1, maxDelayMs: delay * 1000, maxRetries: maxReconnect },
  };
}

export interface FluentdOptions {
  address: Address; async: boolean; subSecond: boolean; bufferLimit: number; requestAck: boolean; retry: RetryPolicy;
  /** fluentd-read-timeout: how long an ack may take (0 = no limit). */
  ackTimeoutMs: number;
}

/**
 * How long berth waits for a fluentd ack when fluentd-read-timeout is not given. Docker then
 * waits without limit (a peer that reads but never acknowledges stalls its logger for good);
 * berth gives up on the write after this and retries it as for any failed write.
 */
export const DEFAULT_FLUENTD_ACK_TIMEOUT_MS = 10_000;

/**
 * A Go time.ParseDuration value for a log option that must be a non-negative duration, in ms
 * (moby fluentd parseConfig's wording: "invalid value for KEY: value must be a duration…").
 */
export function goDurationOpt(v: string, key: string): number {
  const fail = (why: string): never => { throw new InvalidArgumentError(`invalid value for ${key}: value must be a duration: time: ${why} "${v}"`); };
  let s = v;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0;
  if (s === '') fail('invalid duration');
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)?/y;
  let ms = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (m === null) fail('invalid duration');
    if (m![2] === undefined) fail('missing unit in duration');
    ms += Number(m![1]) * unit[m![2]!]!;
    at = re.lastIndex;
  }
  if (neg && ms > 0) throw new InvalidArgumentError(`invalid value for ${key}: value must be a duration that is non-negative`);
  return ms;
}

/** A Go duration ("1s", "500ms", "1m30s") in milliseconds; a bare number is milliseconds. */
export function parseDuration(v: string, what: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  let at = 0;
  while (at < v.length) {
    re.lastIndex = at;
    const m = re.exec(v);
    if (!m) throw new InvalidArgumentError(`invalid ${what} '${v}': want a duration such as 1s or 500ms`);
    ms += Number(m[1]) * unit[m[2]!]!;
    at = re.lastIndex;
  }
  if (v === '') throw new InvalidArgumentError(`invalid ${what} '': want a duration such as 1s`);
  return ms;
}

export function fluentdOptions(opts: Record<string, string>): FluentdOptions {
  const address = parseAddress(opts['fluentd-address'] || 'localhost:24224', 'fluentd-address', { proto: 'tcp', port: 24224 }, ['tcp', 'unix']);
  // moby: a count of events (default 1 Mi). berth bounds bytes: a count is taken as that many
  // 1 KiB events; a size ("8m") as bytes.
  const rawLimit = opts['fluentd-buffer-limit'];
  const bufferLimit = rawLimit === undefined ? 1024 * 1024 * 1024 : /^\d+$/.test(rawLimit) ? Number(rawLimit) * 1024 : parseSize(rawLimit, 'fluentd-buffer-limit', 1024);
  // fluent-logger-golang: retry-wait × 1.5^attempt, at most 60 s apart; moby's default max-retries is MaxInt32.
  const wait = opts['fluentd-retry-wait'] === undefined ? 1000 : parseDuration(opts['fluentd-retry-wait'], 'fluentd-retry-wait');
  const maxRetries = intOpt(opts, 'fluentd-max-retries', 2 ** 31 - 1, `invalid fluentd-max-retries '${opts['fluentd-max-retries']}': want a non-negative integer`);
  return {
    address, async: boolOpt(opts, 'fluentd-async') || boolOpt(opts, 'fluentd-async-connect'), subSecond: boolOpt(opts, 'fluentd-sub-second-precision'),
    bufferLimit, requestAck: boolOpt(opts, 'fluentd-request-ack'), retry: { delayMs: wait, factor: 1.5, maxDelayMs: 60_000, maxRetries },
    ackTimeoutMs: opts['fluentd-read-timeout'] === undefined || opts['fluentd-read-timeout'] === '' ? DEFAULT_FLUENTD_ACK_TIMEOUT_MS : goDurationOpt(opts['fluentd-read-timeout'], 'fluentd-read-timeout'),
  };
}

/** Bytes a remote driver may hold while its destination is slow or down. */
export function bufferLimit(opts: Record<string, string>): number {
  if (opts.mode === 'non-blocking') return parseSize(opts['max-buffer-size'] ?? '1m', 'max-buffer-size', 1024);
  return 4 * 1024 * 1024;
}

/** Drivers whose logs `docker logs` can read. */
export function canRead(type: string): boolean {
  return type === 'json-file' || type === 'local' || type === 'k8s-file';
}
