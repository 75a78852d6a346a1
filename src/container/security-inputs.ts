// The host lookups a container's security settings need before spec generation, done at
// start (moby daemon/oci_linux.go WithDevices / WithNamespaces, container_operations_unix.go):
//   * HostConfig.Devices → device nodes stat'ed on the host, with one cgroup allow rule each
//   * HostConfig.DeviceCgroupRules → cgroup allow rules
//   * privileged → every device node under /dev
//   * PidMode / IpcMode "container:<id>" → /proc/<pid>/ns/{pid,ipc} of the running target
//   * the daemon-wide no-new-privileges default, overridden by the container's security-opt
// plus the create-time validation of the same settings, so `docker run` fails at create (exit
// 125, nothing made) rather than at start.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig } from '../api/types/index.ts';
import { InvalidArgumentError, execTool } from '../lib/index.ts';
import type { OciDevice, OciDeviceCgroup } from '../oci/index.ts';
import {
  InvalidDeviceError, convertSeccompProfile, deviceCgroupPermissions, parseDeviceCgroupRule, parseSecurityOpt, resolveCapabilities,
} from '../security/index.ts';
import type { HostFacts, SpecInput } from '../specgen/index.ts';
import type { ContainerContext } from './context.ts';
import { NotRunningError } from './errors.ts';
import type { Container } from './record.ts';

/** Directories under /dev that hold no device a privileged container should get (moby HostDevices). */
const SKIPPED_DEV_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

function majorOf(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

function minorOf(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

/** The device node at `hostPath` as it should appear at `containerPath`, or null if it is not one. */
async function deviceAt(hostPath: string, containerPath: string, follow: boolean): Promise<OciDevice | null> {
  const st = follow ? await stat(hostPath, { bigint: true }) : await lstat(hostPath, { bigint: true });
  let type: OciDevice['type'];
  if (st.isCharacterDevice()) type = 'c';
  else if (st.isBlockDevice()) type = 'b';
  else return null;
  return {
    type, path: containerPath, major: majorOf(st.rdev), minor: minorOf(st.rdev),
    fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid),
  };
}

async function devicesUnder(dir: string, to: string, skip: ReadonlySet<string>): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (skip.has(e.name)) continue;
    const from = join(dir, e.name);
    if (e.isDirectory()) out.push(...await devicesUnder(from, join(to, e.name), new Set()));
    else if (e.isCharacterDevice() || e.isBlockDevice()) {
      const d = await deviceAt(from, join(to, e.name), false).catch(() => null);
      // /dev/console is the container's own terminal (moby skips it too).
      if (d !== null && !(d.type === 'c' && d.major === 5 && d.minor === 1)) out.push(d);
    }
  }
  return out;
}

/** Every device node of the host, for a privileged container. */
export function hostDevices(): Promise<OciDevice[]> {
  return devicesUnder('/dev', '/dev', SKIPPED_DEV_DIRS);
}

function ruleFor(d: OciDevice, access: string): OciDeviceCgroup {
  const rule: OciDeviceCgroup = { allow: true, type: d.type === 'b' ? 'b' : 'c', access };
  if (d.major !== undefined) rule.major = d.major;
  if (d.minor !== undefined) rule.minor = d.minor;
  return rule;
}

/** --device mappings: a device node, or a directory of them (moby devicesFromPath). */
export async function mappedDevices(h: HostConfig): Promise<{ devices: OciDevice[]; rules: OciDeviceCgroup[] }> {
  const devices: OciDevice[] = [];
  const rules: OciDeviceCgroup[] = [];
  for (const m of h.Devices ?? []) {
    const to = m.PathInContainer || m.PathOnHost;
    const access = deviceCgroupPermissions(m.CgroupPermissions, m.PathOnHost);
    let found: OciDevice[];
    try {
      const st = await stat(m.PathOnHost);
      if (st.isDirectory()) found = await devicesUnder(m.PathOnHost, to, new Set());
      else {
        const d = await deviceAt(m.PathOnHost, to, true);
        if (d === null) throw new Error('not a device node');
        found = [d];
      }
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message;
      throw new InvalidDeviceError(`error gathering device information while adding custom device "${m.PathOnHost}": ${reason}`);
    }
    for (const d of found) {
      devices.push(d);
      rules.push(ruleFor(d, access));
    }
  }
  for (const r of h.DeviceCgroupRules ?? []) rules.push(parseDeviceCgroupRule(r));
  return { devices, rules };
}

const CONTAINER_MODE = /^container:(.+)$/;

function runningTarget(ctx: ContainerContext, self: string, ref: string, kind: 'PID' | 'IPC'): Container {
  const target = ctx.store.get(ref);
  if (target.config.id === self) throw new InvalidArgumentError(`cannot join own ${kind} namespace`);
  if (target.state.status !== 'running' || !target.state.pid) throw new NotRunningError(target.config.id);
  return target;
}

/** /proc/<pid>/ns/{pid,ipc} of the containers named by PidMode / IpcMode "container:<id>". */
export function namespacePaths(ctx: ContainerContext, c: Container): { pid?: string; ipc?: string } {
  const h = c.config.hostConfig;
  const out: { pid?: string; ipc?: string } = {};
  const pid = CONTAINER_MODE.exec(h.PidMode ?? '');
  if (pid) out.pid = `/proc/${runningTarget(ctx, c.config.id, pid[1]!, 'PID').state.pid}/ns/pid`;
  const ipc = CONTAINER_MODE.exec(h.IpcMode ?? '');
  if (ipc) {
    const t = runningTarget(ctx, c.config.id, ipc[1]!, 'IPC');
    const mode = t.config.hostConfig.IpcMode ?? '';
    // Docker's default IPC mode is private: only a shareable (or host) donor may be joined.
    if (mode !== 'shareable' && mode !== 'host') {
      throw new InvalidArgumentError(`container ${t.config.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
    out.ipc = mode === 'host' ? '/proc/1/ns/ipc' : `/proc/${t.state.pid}/ns/ipc`;
  }
  return out;
}

/** HostConfig with the daemon's no-new-privileges default in front of the container's own options. */
function withDaemonDefaults(h: HostConfig, noNewPrivileges: boolean): HostConfig {
  if (!noNewPrivileges) return h;
  return { ...h, SecurityOpt: ['no-new-privileges=true', ...(h.SecurityOpt ?? [])] };
}

export interface SecurityDefaults {
  /** dockerd --no-new-privileges / daemon.json "no-new-privileges". */
  noNewPrivileges: boolean;
}

/** The security part of a container's SpecInput, looked up on the host at start. */
export async function securityInputs(ctx: ContainerContext, c: Container, defaults: SecurityDefaults, netns = ''): Promise<Partial<SpecInput>> {
  const h = c.config.hostConfig;
  const { devices, rules } = await mappedDevices(h);
  const out: Partial<SpecInput> = {
    hostConfig: withDaemonDefaults(h, defaults.noNewPrivileges),
    namespacePaths: namespacePaths(ctx, c),
    devices,
    deviceRules: rules,
  };
  if (h.Privileged === true) out.hostDevices = await hostDevices();
  const remap = ctx.options.remap;
  if (remap && (h.UsernsMode ?? '') !== 'host') {
    out.idMappings = {
      uid: [{ containerID: 0, hostID: remap.uid, size: remap.uidSize }],
      gid: [{ containerID: 0, hostID: remap.gid, size: remap.gidSize }],
    };
    // The container's own files (/etc/hosts, …) are bind-mounted by the runtime from inside
    // the user namespace: the remapped root must be able to reach them.
    const dir = ctx.store.dir(c.config.id);
    await chown(dir, 0, remap.gid);
    await chmod(dir, 0o710);
    // Docker's two network defaults (ping without CAP_NET_RAW, ports < 1024 without
    // CAP_NET_BIND_SERVICE), which the runtime cannot write from inside the user namespace;
    // all the more needed there, since capabilities in it do not count in the host-owned netns.
    if (netns.startsWith('/') && !(h.NetworkMode ?? '').startsWith('container:')) {
      await execTool('nsenter', [`--net=${netns}`, 'sysctl', '-q', '-w', 'net.ipv4.ping_group_range=0 2147483647', 'net.ipv4.ip_unprivileged_port_start=0']);
    }
  }
  // The docker CLI sends [] for `--security-opt systempaths=unconfined`; null means Docker's lists.
  if (Array.isArray(h.MaskedPaths)) out.maskedPaths = h.MaskedPaths;
  if (Array.isArray(h.ReadonlyPaths)) out.readonlyPaths = h.ReadonlyPaths;
  return out;
}

const NS_MODE = /^(|host|container:.+)$/;

function kernelHas(module: 'apparmor' | 'selinux'): boolean {
  if (module === 'selinux') return existsSync('/sys/fs/selinux/enforce');
  try { return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y'; } catch { return false; }
}

/**
 * AppArmor and SELinux options: asking for no confinement (apparmor=unconfined, label=disable)
 * is always fine; anything else is refused, since berth applies neither (and these hosts'
 * kernels have neither), rather than silently running the container unconfined.
 */
function checkMandatoryAccessControl(opts: readonly string[]): void {
  for (const opt of opts) {
    const m = /^(apparmor|label)[=:](.*)$/.exec(opt);
    if (!m || opt === 'label=disable' || opt === 'label:disable' || m[2] === 'unconfined' && m[1] === 'apparmor') continue;
    const mac = m[1] === 'apparmor' ? 'apparmor' : 'selinux';
    const name = mac === 'apparmor' ? 'AppArmor' : 'SELinux';
    const why = kernelHas(mac) ? 'berth does not apply ' + (mac === 'apparmor' ? 'AppArmor profiles' : 'SELinux labels')
      : `${name} is not enabled in this host's kernel`;
    throw new InvalidArgumentError(`invalid --security-opt ${JSON.stringify(opt)}: ${why}`);
  }
}

/**
 * Create-time validation of the security settings (moby verifyPlatformContainerSettings and
 * the parse steps of createSpec): everything that does not need the host.
 */
export function validateSecurity(h: HostConfig, host: Pick<HostFacts, 'arch' | 'kernel' | 'capabilities'>, remapped = false): string[] {
  if (remapped && (h.UsernsMode ?? '') !== 'host') {
    // moby verifyPlatformContainerSettings / daemon_unix.go wording.
    if (h.Privileged === true) {
      throw new InvalidArgumentError('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    }
    if (h.PidMode === 'host') throw new InvalidArgumentError('cannot share the host PID namespace when user namespaces are enabled');
    if (h.NetworkMode === 'host') throw new InvalidArgumentError("cannot share the host's network namespace when user namespaces are enabled");
  }
  // The rule, stricter than dockerd (which ignores it): asking to leave a remapping
  // that is not there is a mistake worth saying.
  if (!remapped && (h.UsernsMode ?? '') === 'host') {
    throw new InvalidArgumentError('--userns host: user namespace remapping is not enabled in the daemon (start berthd with --userns-remap); containers already use the host user namespace');
  }
  const sec = parseSecurityOpt(h.SecurityOpt);
  checkMandatoryAccessControl(h.SecurityOpt ?? []);
  const caps = resolveCapabilities({ add: h.CapAdd, drop: h.CapDrop, privileged: h.Privileged === true, available: host.capabilities });
  // A custom profile that decodes but cannot be converted (unknown action, bad arch) fails here, not at start.
  if (sec.seccomp.mode === 'custom' && h.Privileged !== true) convertSeccompProfile(sec.seccomp.profile, caps, { arch: host.arch, kernel: host.kernel });
  for (const r of h.DeviceCgroupRules ?? []) parseDeviceCgroupRule(r);
  for (const d of h.Devices ?? []) {
    if (typeof d?.PathOnHost !== 'string' || d.PathOnHost === '') throw new InvalidDeviceError('invalid device: PathOnHost is empty');
    deviceCgroupPermissions(d.CgroupPermissions, d.PathOnHost);
  }
  if (!NS_MODE.test(h.PidMode ?? '')) throw new InvalidArgumentError(`invalid PID mode: ${h.PidMode}`);
  if (!/^(|host|private|shareable|none|container:.+)$/.test(h.IpcMode ?? '')) throw new InvalidArgumentError(`invalid IPC mode: ${h.IpcMode}`);
  if (!/^(|host)$/.test(h.UTSMode ?? '')) throw new InvalidArgumentError(`invalid UTS mode: ${h.UTSMode}`);
  if (!/^(|host)$/.test(h.UsernsMode ?? '')) throw new InvalidArgumentError(`invalid USER mode: ${h.UsernsMode}`);
  if (!/^(|host|private)$/.test(h.CgroupnsMode ?? '')) throw new InvalidArgumentError(`invalid cgroup namespace mode: ${h.CgroupnsMode}`);
  return sec.warnings;
}
