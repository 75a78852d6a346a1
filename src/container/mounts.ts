// A container's mounts, from create to removal (moby daemon/volumes.go, volumes_unix.go):
//   create  parse and check everything (mount-parse.ts; a --mount bind source must exist),
//           then make or reference the volumes; the result is stored in the record
//   start   make missing -v host paths, mount volumes with driver options, fill a new
//           empty volume from the image, hand the binds to the spec generator
//   exit    unmount volumes nobody runs with any more
//   remove  drop the references; with -v / --rm, anonymous volumes nobody uses go
import { chmod, chown, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, execTool } from '../lib/index.ts';
import type { ContainerConfig, HostConfig, MountPoint } from '../api/types/index.ts';
import { localOptionsProblem, volumeNameProblem } from '../volume/index.ts';
import { tmpfsMountOptions, type ExtraMount } from '../specgen/index.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import { parseVolumesFrom, planMounts, type MountRecord } from './mount-parse.ts';
import { resolveInRoot } from './scoped-path.ts';

/** Everything decided at create, before any side effect: throws Docker's errors. */
export async function planContainerMounts(ctx: ContainerContext, h: HostConfig, config: ContainerConfig): Promise<MountRecord[]> {
  checkShapes(h, config);
  const volumesFrom = (h.VolumesFrom ?? []).map((spec) => {
    const { ref, mode } = parseVolumesFrom(spec);
    return { mounts: ctx.store.get(ref).config.mounts ?? [], mode };
  });
  const plan = planMounts({
    binds: h.Binds ?? [], mounts: h.Mounts ?? [], tmpfs: Object.keys(h.Tmpfs ?? {}), volumes: Object.keys(config.Volumes ?? {}),
    volumesFrom, volumeDriver: h.VolumeDriver ?? '',
  });
  // Options of --tmpfs are checked now rather than at start (moby validates them at create).
  for (const opts of Object.values(h.Tmpfs ?? {})) tmpfsMountOptions(opts);
  for (const m of plan) if (m.type === 'tmpfs' && m.tmpfsOptions) tmpfsMountOptions(m.tmpfsOptions);
  for (const m of plan) {
    if (m.type === 'bind' && !m.createHostPath && !(await exists(m.source))) {
      throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    }
    if (m.type !== 'volume') continue;
    if (m.driver !== 'local') {
      throw new InvalidArgumentError(`create ${m.name || 'volume'}: error looking up volume plugin ${m.driver}: plugin "${m.driver}" not found`);
    }
    const problem = m.name !== '' ? volumeNameProblem(m.name) : null;
    if (problem) throw new InvalidArgumentError(`create ${m.name}: ${problem}`);
    const opts = m.create?.driverOpts;
    const optsProblem = opts && Object.keys(opts).length > 0 ? localOptionsProblem(opts) : null;
    if (optsProblem) throw new InvalidArgumentError(`create ${m.name || 'volume'}: ${optsProblem}`);
  }
  return plan;
}

/** Makes or references the planned volumes; undoes what it did if one fails. */
export async function acquireVolumes(ctx: ContainerContext, id: string, plan: MountRecord[]): Promise<MountRecord[]> {
  const out: MountRecord[] = [];
  try {
    for (const m of plan) {
      if (m.type !== 'volume') { out.push(m); continue; }
      const name = await ctx.volumes.acquire(m.name === '' ? null : m.name, id, {
        driver: m.driver, driverOpts: m.create?.driverOpts ?? null, labels: m.create?.labels ?? null,
      });
      const { create: _unused, ...rest } = m;
      out.push({ ...rest, name });
    }
  } catch (err) {
    await releaseVolumes(ctx, id, out, true);
    throw err;
  }
  return out;
}

export async function releaseVolumes(ctx: ContainerContext, id: string, mounts: readonly MountRecord[], removeAnonymous: boolean): Promise<void> {
  for (const m of mounts) {
    if (m.type !== 'volume') continue;
    await ctx.volumes.release(m.name, id, removeAnonymous)
      .catch((err: unknown) => ctx.log.warn({ err, container: id, volume: m.name }, 'cannot release volume'));
  }
}

/** At start, with the rootfs mounted: the user's mounts as spec input. */
export async function prepareMounts(ctx: ContainerContext, c: Container, rootfs: string): Promise<ExtraMount[]> {
  const id = c.config.id;
  const out: ExtraMount[] = [];
  for (const m of c.config.mounts ?? []) {
    const rw = m.rw ? 'rw' : 'ro';
    switch (m.type) {
      case 'bind':
        if (!(await exists(m.source))) {
          if (!m.createHostPath) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
          await mkdir(m.source, { recursive: true, mode: 0o755 });
        }
        out.push({ type: 'bind', destination: m.destination, source: m.source, options: [m.nonRecursive ? 'bind' : 'rbind', rw, m.propagation || 'rprivate'] });
        break;
      case 'volume': {
        const path = await ctx.volumes.mount(m.name, id, {
          destination: m.destination, propagation: m.propagation, 'read/write': String(m.rw),
        });
        if (m.copyData) await copyImageContent(await resolveInRoot(rootfs, m.destination), path);
        out.push({ type: 'bind', destination: m.destination, source: path, options: ['rbind', rw, 'rprivate'] });
        break;
      }
      default:
        out.push({ type: 'tmpfs', destination: m.destination, source: 'tmpfs', options: m.tmpfsOptions ? m.tmpfsOptions.split(',') : [] });
    }
  }
  return out;
}

/** The container no longer runs: its volumes may be unmounted. */
export async function unmountVolumes(ctx: ContainerContext, c: Container): Promise<void> {
  for (const m of c.config.mounts ?? []) {
    if (m.type !== 'volume') continue;
    await ctx.volumes.unmount(m.name, c.config.id)
      .catch((err: unknown) => ctx.log.warn({ err, container: c.config.id, volume: m.name }, 'cannot unmount volume'));
  }
}

/** At daemon start: the references of every record, the active mounts of running containers. */
export function restoreVolumeRefs(ctx: ContainerContext, c: Container, running: boolean): void {
  for (const m of c.config.mounts ?? []) {
    if (m.type !== 'volume') continue;
    ctx.volumes.restoreRef(m.name, c.config.id);
    if (running) ctx.volumes.restoreActive(m.name, c.config.id);
  }
}

/** inspect's and list's `Mounts` (types.MountPoint), sorted by destination. */
export function mountPointsView(ctx: ContainerContext, c: Container): MountPoint[] {
  return [...(c.config.mounts ?? [])].sort((a, b) => a.destination.localeCompare(b.destination)).map((m): MountPoint => {
    if (m.type === 'volume') {
      return {
        Type: 'volume', Name: m.name, Source: ctx.volumes.dataPath(m.name), Destination: m.destination, Driver: m.driver,
        Mode: m.mode, RW: m.rw, Propagation: m.propagation,
      };
    }
    return { Type: m.type, Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation };
  });
}

/** Engine files (/etc/hosts …) give way to a user mount at the same place. */
export function mergeMounts(engine: readonly ExtraMount[], user: readonly ExtraMount[]): ExtraMount[] {
  const taken = new Set(user.map((m) => m.destination));
  return [...engine.filter((m) => !taken.has(m.destination)), ...user];
}

/** Wrong JSON types in the request are a 400, never a crash further down. */
function checkShapes(h: HostConfig, config: ContainerConfig): void {
  const stringList = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  const object = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v));
  if (!stringList(h.Binds)) throw new InvalidArgumentError('invalid JSON: HostConfig.Binds must be a list of strings');
  if (!stringList(h.VolumesFrom)) throw new InvalidArgumentError('invalid JSON: HostConfig.VolumesFrom must be a list of strings');
  if (h.Mounts !== undefined && h.Mounts !== null && !Array.isArray(h.Mounts)) throw new InvalidArgumentError('invalid JSON: HostConfig.Mounts must be a list');
  if (!object(h.Tmpfs) || !Object.values(h.Tmpfs ?? {}).every((v) => typeof v === 'string')) {
    throw new InvalidArgumentError('invalid JSON: HostConfig.Tmpfs must map paths to option strings');
  }
  if (!object(config.Volumes)) throw new InvalidArgumentError('invalid JSON: Volumes must be an object');
  if (h.VolumeDriver !== undefined && typeof h.VolumeDriver !== 'string') throw new InvalidArgumentError('invalid JSON: HostConfig.VolumeDriver must be a string');
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/**
 * Fills an empty volume with what the image has at the mount point (moby
 * container.CopyImagePathContent): contents, then the directory's owner and mode. `source`
 * is already resolved inside the rootfs (symlinks cannot point it at the host).
 */
async function copyImageContent(source: string, volumePath: string): Promise<void> {
  const st = await stat(source).catch(() => null);
  if (!st?.isDirectory()) return;
  if ((await readdir(volumePath)).length > 0) return;
  if ((await readdir(source)).length > 0) await execTool('cp', ['-a', '--', `${source}/.`, `${volumePath}/`]);
  await chown(volumePath, st.uid, st.gid);
  await chmod(volumePath, st.mode & 0o7777);
}
