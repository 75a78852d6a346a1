// The flags of docker run/create turned into the POST /containers/create body, as docker
// CLI's container/opts.go parse() does it. Pure: files (--env-file, --label-file, seccomp
// profiles) and the CLI's environment come in through `ContainerOptionsEnv`.
import { InvalidArgumentError, messageOf } from '../../lib/index.ts';
import type { ContainerCreateRequest, HealthConfig, HostConfig, Ulimit } from '../../api/types/index.ts';
import { effectiveCapabilities } from './capabilities.ts';
import { parseKeyValueFile } from './env-file.ts';
import { FlagValueError } from './flag-value-error.ts';
import { parseGoDuration } from './go-duration.ts';
import { keyValueMap, validateEnv, validateLabel } from './key-value.ts';
import { parseCpus, ramInBytes } from './mem-bytes.ts';
import { parseExpose, parsePortSpecs } from './port-specs.ts';
import { isNoRestart, parseRestartPolicy } from './restart-policy.ts';
import { parseMountFlag } from './mount-flag.ts';
import {
  parseDevice, parseThrottleBps, parseThrottleIops, parseUint16, parseWeightDevice, validateDeviceCgroupRule,
} from './resource-flags.ts';

/** HostConfig fields docker sends that berth's API types do not declare (all zero values). */
interface WireHostConfig extends HostConfig {
  ContainerIDFile: string; VolumeDriver: string; VolumesFrom: string[] | null; CgroupnsMode: string; Cgroup: string; Links: null;
  UsernsMode: string; Isolation: string; MemorySwappiness: number; OomKillDisable: boolean; CpuCount: number;
  CpuPercent: number; IOMaximumIOps: number; IOMaximumBandwidth: number; MaskedPaths: null; ReadonlyPaths: null;
}



const EMPTY_ENDPOINT = {
  IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
  EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0, DNSNames: null,
};

/** The run/create flags as commander hands them over (strings, lists, booleans). */
export interface ContainerFlags {
  attach: string[]; env: string[]; envFile: string[]; label: string[]; labelFile: string[];
  publish: string[]; expose: string[]; volume: string[]; capAdd: string[]; capDrop: string[];
  dns: string[]; dnsOption: string[]; dnsSearch: string[]; addHost: string[]; securityOpt: string[];
  tmpfs: string[]; mount: string[]; volumesFrom: string[]; sysctl: string[]; groupAdd: string[]; logOpt: string[]; ulimit: string[];
  interactive?: boolean; tty?: boolean; rm?: boolean; init?: boolean; privileged?: boolean;
  readOnly?: boolean; healthcheck?: boolean; publishAll?: boolean;
  name?: string; workdir?: string; user?: string; hostname?: string; domainname?: string;
  entrypoint?: string; restart?: string; network?: string; stopSignal?: string; stopTimeout?: string;
  runtime?: string; memory?: string; memorySwap?: string; shmSize?: string; cpus?: string;
  cpuShares?: string; pidsLimit?: string; oomScoreAdj?: string; healthCmd?: string;
  healthInterval?: string; healthTimeout?: string; healthRetries?: string; healthStartPeriod?: string;
  healthStartInterval?: string; logDriver?: string; volumeDriver?: string; pid?: string; ipc?: string; uts?: string;
  userns?: string; cgroupns?: string;
  ip?: string; ip6?: string; networkAlias?: string[]; macAddress?: string;
  /** berth's bandwidth limits (tc rates such as 10mbit), sent as io.berth.network.* labels. */
  ingressRate?: string; egressRate?: string;
  // Resource flags (optional: callers that predate them leave them out).
  memoryReservation?: string; memorySwappiness?: string; oomKillDisable?: boolean; cpuPeriod?: string;
  cpuQuota?: string; cpuRtPeriod?: string; cpuRtRuntime?: string; cpusetCpus?: string; cpusetMems?: string;
  blkioWeight?: string; blkioWeightDevice?: string[]; deviceReadBps?: string[]; deviceWriteBps?: string[];
  deviceReadIops?: string[]; deviceWriteIops?: string[]; device?: string[]; deviceCgroupRule?: string[];
  cgroupParent?: string;
}

export interface ContainerOptionsEnv {
  lookupEnv: (key: string) => string | undefined;
  readFile: (path: string) => Buffer;
  /** Terminal size [height, width] of stdout, [0, 0] when it is no terminal. */
  consoleSize: [number, number];
  /** Makes a relative host path absolute (docker CLI 23+ does it for `-v ./dir:/p` and `--mount source=./dir`). */
  absPath?: (path: string) => string;
}

/** The flags whose value failed to parse, with docker's flag names for the message. */
const FLAG_NAMES: Record<string, string> = {
  env: '-e, --env', label: '-l, --label', attach: '-a, --attach', memory: '-m, --memory',
  memorySwap: '--memory-swap', shmSize: '--shm-size', cpus: '--cpus', cpuShares: '-c, --cpu-shares',
  pidsLimit: '--pids-limit', stopTimeout: '--stop-timeout', oomScoreAdj: '--oom-score-adj',
  healthInterval: '--health-interval', healthTimeout: '--health-timeout', healthRetries: '--health-retries',
  healthStartPeriod: '--health-start-period', healthStartInterval: '--health-start-interval',
  mount: '--mount',
  memoryReservation: '--memory-reservation', memorySwappiness: '--memory-swappiness', cpuPeriod: '--cpu-period',
  cpuQuota: '--cpu-quota', cpuRtPeriod: '--cpu-rt-period', cpuRtRuntime: '--cpu-rt-runtime', blkioWeight: '--blkio-weight',
  blkioWeightDevice: '--blkio-weight-device', deviceReadBps: '--device-read-bps', deviceWriteBps: '--device-write-bps',
  deviceReadIops: '--device-read-iops', deviceWriteIops: '--device-write-iops', device: '--device',
  deviceCgroupRule: '--device-cgroup-rule',
};

/** The Resources block of HostConfig between NanoCpus and MemorySwap, in docker 28's field order. */
function resourceFields(f: ContainerFlags) {
  const int = (name: keyof ContainerFlags): number => {
    const v = f[name] as string | undefined;
    return v === undefined ? 0 : flag(name, v, parseInteger);
  };
  const list = <T>(name: keyof ContainerFlags, parse: (v: string) => T): T[] => ((f[name] as string[] | undefined) ?? []).map((v) => flag(name, v, parse));
  const rules = list('deviceCgroupRule', validateDeviceCgroupRule);
  return {
    CgroupParent: f.cgroupParent ?? '',
    BlkioWeight: f.blkioWeight === undefined ? 0 : flag('blkioWeight', f.blkioWeight, parseUint16),
    BlkioWeightDevice: list('blkioWeightDevice', parseWeightDevice),
    BlkioDeviceReadBps: list('deviceReadBps', parseThrottleBps),
    BlkioDeviceWriteBps: list('deviceWriteBps', parseThrottleBps),
    BlkioDeviceReadIOps: list('deviceReadIops', parseThrottleIops),
    BlkioDeviceWriteIOps: list('deviceWriteIops', parseThrottleIops),
    CpuPeriod: int('cpuPeriod'),
    CpuQuota: int('cpuQuota'),
    CpuRealtimePeriod: int('cpuRtPeriod'),
    CpuRealtimeRuntime: int('cpuRtRuntime'),
    CpusetCpus: f.cpusetCpus ?? '',
    CpusetMems: f.cpusetMems ?? '',
    Devices: list('device', parseDevice),
    DeviceCgroupRules: rules.length > 0 ? rules : null,
    DeviceRequests: null,
    MemoryReservation: f.memoryReservation === undefined ? 0 : flag('memoryReservation', f.memoryReservation, ramInBytes),
  };
}

function flag<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    throw new FlagValueError(FLAG_NAMES[name] ?? `--${name}`, value, messageOf(e));
  }
}

/** --cgroupns: '', host or private (docker's check and wording). */
function cgroupnsMode(v: string | undefined): string {
  if (v === undefined || v === '') return '';
  if (v !== 'host' && v !== 'private') throw new InvalidArgumentError('--cgroupns: invalid CGROUP mode');
  return v;
}

/** --userns: '' or host (docker's check and wording). */
function usernsMode(v: string | undefined): string {
  if (v === undefined || v === '') return '';
  if (v !== 'host') throw new InvalidArgumentError('--userns: invalid USER mode');
  return v;
}

function parseInteger(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new InvalidArgumentError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function parseMemSwap(v: string): number {
  return v === '-1' ? -1 : ramInBytes(v);
}

function parseAttach(v: string): string {
  const s = v.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new InvalidArgumentError('valid streams are STDIN, STDOUT and STDERR');
}

export function parseContainerFlags(
  f: ContainerFlags, image: string, args: readonly string[], env: ContainerOptionsEnv,
): ContainerCreateRequest {
  const attach = f.attach.map((a) => flag('attach', a, parseAttach));
  const envList = f.env.map((e) => flag('env', e, (v) => validateEnv(v, env.lookupEnv)));
  const labels = f.label.map((l) => flag('label', l, validateLabel));
  let attachStdin = attach.includes('stdin') || f.interactive === true;
  const attachStdout = attach.length === 0 || attach.includes('stdout');
  const attachStderr = attach.length === 0 || attach.includes('stderr');
  if (attach.length > 0 && !attach.includes('stdin') && f.interactive !== true) attachStdin = false;

  const volumes: Record<string, object> = {};
  const binds: string[] = [];
  const abs = env.absPath ?? ((p: string): string => p);
  for (const v of new Set(f.volume)) {
    const source = parseVolumeSource(v);
    if (source === '') volumes[v] = {};
    else binds.push(source.startsWith('.') ? `${abs(source)}${v.slice(source.length)}` : v);
  }
  const mounts = f.mount.map((m) => flag('mount', m, parseMountFlag))
    .map((m) => (m.Source?.startsWith('.') ? { ...m, Source: abs(m.Source) } : m));
  const tmpfs: Record<string, string> = {};
  for (const t of f.tmpfs) {
    const colon = t.indexOf(':');
    if (colon >= 0) tmpfs[t.slice(0, colon)] = t.slice(colon + 1);
    else tmpfs[t] = '';
  }

  const ports = parsePortSpecs(f.publish);
  parseExpose(f.expose, ports.exposed);

  const envVars = [
    ...f.envFile.flatMap((file) => parseKeyValueFile(file, readOrThrow(env, file), env.lookupEnv)),
    ...envList,
  ];
  const labelList = [...f.labelFile.flatMap((file) => parseKeyValueFile(file, readOrThrow(env, file))), ...labels,
    ...(f.ingressRate ? [`io.berth.network.ingress-rate=${f.ingressRate}`] : []),
    ...(f.egressRate ? [`io.berth.network.egress-rate=${f.egressRate}`] : [])];

  const parsedRestart = parseRestartPolicy(f.restart ?? 'no');
  const restart = { Name: parsedRestart.Name ?? '', MaximumRetryCount: parsedRestart.MaximumRetryCount ?? 0 };
  const caps = effectiveCapabilities(f.capAdd, f.capDrop);
  const healthcheck = parseHealthcheck(f);
  const memory = f.memory === undefined ? 0 : flag('memory', f.memory, ramInBytes);

  const sysctls = keyValueMap(f.sysctl);
  // Field for field (and in the order of) the HostConfig docker CLI 28 sends, zero values
  // included, so berthd sees the same request from either CLI.
  const hostConfig: WireHostConfig = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: '',
    LogConfig: { Type: f.logDriver ?? '', Config: parseLogOpts(f.logOpt) },
    NetworkMode: f.network ?? 'default',
    PortBindings: ports.bindings,
    RestartPolicy: restart,
    AutoRemove: f.rm === true,
    VolumeDriver: f.volumeDriver ?? '',
    VolumesFrom: f.volumesFrom.length > 0 ? f.volumesFrom : null,
    ConsoleSize: env.consoleSize,
    CapAdd: caps.capAdd.length > 0 ? caps.capAdd : null,
    CapDrop: caps.capDrop.length > 0 ? caps.capDrop : null,
    CgroupnsMode: cgroupnsMode(f.cgroupns),
    Dns: f.dns,
    DnsOptions: f.dnsOption,
    DnsSearch: f.dnsSearch,
    ExtraHosts: f.addHost.length > 0 ? f.addHost : null,
    GroupAdd: f.groupAdd.length > 0 ? f.groupAdd : null,
    IpcMode: f.ipc ?? '',
    Cgroup: '',
    Links: null,
    OomScoreAdj: f.oomScoreAdj === undefined ? 0 : flag('oomScoreAdj', f.oomScoreAdj, parseInteger),
    PidMode: f.pid ?? '',
    Privileged: f.privileged === true,
    PublishAllPorts: f.publishAll === true,
    ReadonlyRootfs: f.readOnly === true,
    SecurityOpt: parseSecurityOpts(f.securityOpt, env),
    ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    UTSMode: f.uts ?? '',
    UsernsMode: usernsMode(f.userns),
    ShmSize: f.shmSize === undefined ? 0 : flag('shmSize', f.shmSize, ramInBytes),
    ...(Object.keys(sysctls).length > 0 ? { Sysctls: sysctls } : {}),
    ...(f.runtime ? { Runtime: f.runtime } : {}),
    Isolation: '',
    CpuShares: f.cpuShares === undefined ? 0 : flag('cpuShares', f.cpuShares, parseInteger),
    Memory: memory,
    NanoCpus: f.cpus === undefined ? 0 : flag('cpus', f.cpus, parseCpus),
    ...resourceFields(f),
    MemorySwap: f.memorySwap === undefined ? 0 : flag('memorySwap', f.memorySwap, parseMemSwap),
    MemorySwappiness: f.memorySwappiness === undefined ? -1 : flag('memorySwappiness', f.memorySwappiness, parseInteger),
    OomKillDisable: f.oomKillDisable === true,
    PidsLimit: f.pidsLimit === undefined ? 0 : flag('pidsLimit', f.pidsLimit, parseInteger),
    Ulimits: f.ulimit.map(parseUlimit),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: null,
    ReadonlyPaths: null,
  };
  if (f.init !== undefined) hostConfig.Init = f.init;
  if (f.rm === true && !isNoRestart(restart)) {
    throw new InvalidArgumentError('conflicting options: cannot specify both --restart and --rm');
  }

  const body: ContainerCreateRequest = {
    Hostname: f.hostname ?? '',
    Domainname: f.domainname ?? '',
    User: f.user ?? '',
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(ports.exposed).length > 0 ? { ExposedPorts: ports.exposed } : {}),
    Tty: f.tty === true,
    OpenStdin: f.interactive === true,
    StdinOnce: f.interactive === true && attachStdin,
    Env: envVars.length > 0 ? envVars : null,
    Cmd: args.length > 0 ? [...args] : null,
    ...(healthcheck !== null ? { Healthcheck: healthcheck } : {}),
    Image: image,
    Volumes: volumes,
    WorkingDir: f.workdir ?? '',
    Entrypoint: f.entrypoint === undefined ? null : f.entrypoint === '' ? [''] : [f.entrypoint],
    OnBuild: null,
    Labels: keyValueMap(labelList),
    ...(f.stopSignal !== undefined ? { StopSignal: f.stopSignal } : {}),
    ...(f.stopTimeout !== undefined ? { StopTimeout: flag('stopTimeout', f.stopTimeout, parseInteger) } : {}),
    HostConfig: hostConfig,
    // docker 28 sends an empty endpoint for the default network, none for an explicit one.
    NetworkingConfig: { EndpointsConfig: endpointsConfig(f) },
  };
  return body;
}

/** docker 28 sends an empty endpoint for the default network, none for an explicit one, unless --ip, --alias … are given. */
function endpointsConfig(f: ContainerFlags): Record<string, unknown> {
  const aliases = f.networkAlias ?? [];
  const custom = f.ip || f.ip6 || aliases.length > 0 || f.macAddress;
  if (!custom) return f.network === undefined ? { default: { ...EMPTY_ENDPOINT } } : {};
  return {
    [f.network ?? 'default']: {
      ...EMPTY_ENDPOINT,
      IPAMConfig: f.ip || f.ip6 ? { ...(f.ip ? { IPv4Address: f.ip } : {}), ...(f.ip6 ? { IPv6Address: f.ip6 } : {}) } : null,
      Aliases: aliases.length ? aliases : null,
      MacAddress: f.macAddress ?? '',
    },
  };
}

function readOrThrow(env: ContainerOptionsEnv, file: string): Buffer {
  try {
    return env.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(code === 'ENOENT' ? `open ${file}: no such file or directory` : `open ${file}: ${messageOf(e)}`);
  }
}

/** loader.ParseVolume's source part: "src:dst[:mode]" has one, "/dst" (anonymous) has none. */
function parseVolumeSource(spec: string): string {
  const parts = spec.split(':');
  return parts.length >= 2 ? parts[0]! : '';
}

function parseHealthcheck(f: ContainerFlags): HealthConfig | null {
  const interval = f.healthInterval === undefined ? 0 : flag('healthInterval', f.healthInterval, parseGoDuration);
  const timeout = f.healthTimeout === undefined ? 0 : flag('healthTimeout', f.healthTimeout, parseGoDuration);
  const startPeriod = f.healthStartPeriod === undefined ? 0 : flag('healthStartPeriod', f.healthStartPeriod, parseGoDuration);
  const startInterval = f.healthStartInterval === undefined ? 0 : flag('healthStartInterval', f.healthStartInterval, parseGoDuration);
  const retries = f.healthRetries === undefined ? 0 : flag('healthRetries', f.healthRetries, parseInteger);
  const haveSettings = (f.healthCmd ?? '') !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0
    || startInterval !== 0 || retries !== 0;
  if (f.healthcheck === false) {
    if (haveSettings) throw new InvalidArgumentError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!haveSettings) return null;
  if (interval < 0) throw new InvalidArgumentError('--health-interval cannot be negative');
  if (timeout < 0) throw new InvalidArgumentError('--health-timeout cannot be negative');
  if (retries < 0) throw new InvalidArgumentError('--health-retries cannot be negative');
  if (startPeriod < 0) throw new InvalidArgumentError('--health-start-period cannot be negative');
  if (startInterval < 0) throw new InvalidArgumentError('--health-start-interval cannot be negative');
  // Zero fields are left out (omitempty), so the image's values apply to them.
  const hc: HealthConfig = {};
  if ((f.healthCmd ?? '') !== '') hc.Test = ['CMD-SHELL', f.healthCmd!];
  if (interval !== 0) hc.Interval = interval;
  if (timeout !== 0) hc.Timeout = timeout;
  if (startPeriod !== 0) hc.StartPeriod = startPeriod;
  if (startInterval !== 0) hc.StartInterval = startInterval;
  if (retries !== 0) hc.Retries = retries;
  return hc;
}

function parseLogOpts(opts: readonly string[]): Record<string, string> {
  for (const o of opts) {
    if (!o.includes('=')) throw new InvalidArgumentError(`invalid key-value pair format in log options: ${o}`);
  }
  return keyValueMap(opts);
}

function parseSecurityOpts(opts: readonly string[], env: ContainerOptionsEnv): string[] | null {
  if (opts.length === 0) return null;
  return opts.map((opt) => {
    if (opt === 'no-new-privileges') return opt;
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : null;
    if (sep === null) throw new InvalidArgumentError(`Invalid --security-opt: "${opt}"`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    if (key === 'seccomp' && value !== 'unconfined' && value !== 'builtin') {
      let text: string;
      try {
        text = env.readFile(value).toString('utf8');
      } catch (e) {
        throw new InvalidArgumentError(`opening seccomp profile (${value}) failed: ${messageOf(e)}`);
      }
      try {
        return `seccomp=${JSON.stringify(JSON.parse(text))}`;
      } catch (e) {
        throw new InvalidArgumentError(`compacting json for seccomp profile (${value}) failed: ${messageOf(e)}`);
      }
    }
    return opt;
  });
}

/** "nofile=1024[:2048]" → { Name, Soft, Hard }. */
function parseUlimit(spec: string): Ulimit {
  return flag('ulimit', spec, (v) => {
    const eq = v.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError(`invalid ulimit argument: ${v}`);
    const [soft, hard, extra] = v.slice(eq + 1).split(':');
    if (extra !== undefined || soft === undefined || !/^-?\d+$/.test(soft) || (hard !== undefined && !/^-?\d+$/.test(hard))) {
      throw new InvalidArgumentError(`invalid ulimit argument: ${v}`);
    }
    const s = Number(soft);
    const h = hard === undefined ? s : Number(hard);
    if (s > h) throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${s} > ${h}`);
    return { Name: v.slice(0, eq), Hard: h, Soft: s };
  });
}
