// /version and /info: figures gathered from the services and the host (no logic of its own).
import { cpus, totalmem, hostname, release } from 'node:os';
import { readFile } from 'node:fs/promises';
import { API_VERSION, MIN_API_VERSION, type VersionResponse } from '../api/types/index.ts';
import type { DaemonConfig } from './config.ts';

export const BERTH_VERSION = '0.1.0';

export interface InfoSources {
  config: DaemonConfig;
  runtime: string;
  runtimes: string[];
  cgroupVersion: 1 | 2;
  seccomp: boolean;
  containers(): { total: number; running: number; paused: number; stopped: number };
  imageCount(): number;
  startedAt: Date;
  id: string;
  /** The graph driver and its DriverStatus. */
  storage?: () => Promise<{ name: string; status: [string, string][] | null }>;
}

export function versionInfo(goArch: string): VersionResponse {
  return {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch, KernelVersion: release(), NodeVersion: process.version } }],
    Version: BERTH_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'berth',
    GoVersion: `node${process.version.slice(1)}`,
    Os: 'linux',
    Arch: goArch,
    KernelVersion: release(),
    BuildTime: '',
  };
}

async function osName(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
}

export async function systemInfo(s: InfoSources, goArch: string): Promise<Record<string, unknown>> {
  const c = s.containers();
  const storage = s.storage ? await s.storage() : { name: 'overlay2', status: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true']] };
  return {
    ID: s.id,
    Containers: c.total,
    ContainersRunning: c.running,
    ContainersPaused: c.paused,
    ContainersStopped: c.stopped,
    Images: s.imageCount(),
    Driver: storage.name,
    DriverStatus: storage.status,
    Plugins: { Volume: ['local'], Network: ['host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: s.config.logLevel === 'debug',
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: s.config.logDriver,
    CgroupDriver: 'cgroupfs',
    CgroupVersion: String(s.cgroupVersion),
    NEventsListener: 0,
    KernelVersion: release(),
    OperatingSystem: await osName(),
    OSVersion: '',
    OSType: 'linux',
    Architecture: goArch === 'amd64' ? 'x86_64' : goArch,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
    NCPU: cpus().length,
    MemTotal: totalmem(),
    DockerRootDir: s.config.dataRoot,
    Name: hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: BERTH_VERSION,
    Runtimes: Object.fromEntries(s.runtimes.map((r) => [r, { path: r }])),
    DefaultRuntime: s.runtime,
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'docker-init',
    SecurityOptions: s.seccomp ? ['name=seccomp,profile=builtin'] : [],
    Warnings: null,
  };
}
