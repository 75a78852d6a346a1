// Parsing and planning of a container's mounts (moby daemon/volume/mounts/linux_parser.go and
// daemon/volumes.go registerMountPoints), pure: no I/O, so table tests cover every rule.
//   -v / HostConfig.Binds   "name:/dst[:mode]", "/host:/dst[:mode]"; modes rw|ro, z|Z,
//                           nocopy, a propagation, a consistency (ignored)
//   --mount / HostConfig.Mounts   {Type: bind|volume|tmpfs, Source, Target, ReadOnly, ...Options}
//   Config.Volumes (and the image's VOLUME)   anonymous volumes where nothing else is mounted
//   --volumes-from / HostConfig.VolumesFrom   "container[:ro|rw]": that container's mounts
// Order and precedence as moby: volumes-from first, binds replace them at the same
// destination, a bind or mount given twice (or over a --tmpfs) is "Duplicate mount point".
import { posix } from 'node:path';
import { InvalidArgumentError, NotImplementedError } from '../lib/index.ts';
import type { Mount } from '../api/types/index.ts';

export type MountKind = 'bind' | 'volume' | 'tmpfs';

/** A mount of a container as stored in its record (config.json `mounts`). */
export interface MountRecord {
  type: MountKind;
  /** Clean absolute path in the container. */
  destination: string;
  /** bind: the host path; volume and tmpfs: "" (a volume's path comes from the volume service). */
  source: string;
  /** volume: its name; "" until an anonymous volume is made at create. */
  name: string;
  /** volume: the driver ("local"). */
  driver: string;
  rw: boolean;
  /** The mode shown in inspect ("ro", "z", "" …). */
  mode: string;
  /** bind: rprivate unless given; "" otherwise. */
  propagation: string;
  /** volume: fill a new empty volume with the image's content at the destination. */
  copyData: boolean;
  /** bind: a missing host path is made at start (-v), rather than refused (--mount). */
  createHostPath: boolean;
  /** bind: BindOptions.NonRecursive (plain bind instead of rbind). */
  nonRecursive?: boolean;
  /** tmpfs (--mount type=tmpfs): mount data, e.g. "size=64m,mode=1777". */
  tmpfsOptions?: string;
  /** volume: options for creating it when missing (--mount volume-opt, volume labels). */
  create?: { driverOpts: Record<string, string> | null; labels: Record<string, string> | null };
}

const PROPAGATIONS: ReadonlySet<string> = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const CONSISTENCY: ReadonlySet<string> = new Set(['consistent', 'cached', 'delegated', 'default']);
const DEFAULT_PROPAGATION = 'rprivate';

class MountConfigError extends InvalidArgumentError {
  constructor(type: string, message: string) {
    super(`invalid mount config for type ${JSON.stringify(type)}: ${message}`, { code: 'BERTH_INVALID_MOUNT' });
  }
}

const invalidSpec = (raw: string): string => `invalid volume specification: '${raw}'`;

/** linuxValidMountMode: each option known, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, prop: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (o === 'rw' || o === 'ro') counts.rw++;
    else if (o === 'z' || o === 'Z') counts.label++;
    else if (PROPAGATIONS.has(o)) counts.prop++;
    else if (o === 'nocopy') counts.copy++;
    else if (CONSISTENCY.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

function modeOptions(mode: string): string[] {
  return mode === '' ? [] : mode.split(',');
}

/** The checks every mount target gets (validateMountTarget). Returns the cleaned path. */
function checkTarget(type: string, target: string | undefined): string {
  if (!target) throw new MountConfigError(type, 'field Target must not be empty');
  const t = target.replace(/\\/g, '/');
  if (posix.normalize(t) === '/' || posix.normalize(t) === '/.') throw new MountConfigError(type, "invalid specification: destination can't be '/'");
  if (!t.startsWith('/')) throw new MountConfigError(type, `invalid mount path: '${t}' mount path must be absolute`);
  return cleanPath(t);
}

export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** HostConfig.Binds entry → mount (ParseMountRaw). Bind sources are made at start if missing. */
export function parseBind(raw: string, volumeDriver = ''): MountRecord {
  const arr = raw.split(':');
  if (arr[0] === '' || arr.length > 3) throw new InvalidArgumentError(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) {
    target = arr[0]!;
  } else if (arr.length === 2) {
    // "/foo:rw" is a destination with a mode: volumes cannot have one.
    if (validMountMode(arr[1]!)) throw new InvalidArgumentError(invalidSpec(raw));
    [source, target] = [arr[0]!, arr[1]!];
  } else {
    [source, target, mode] = [arr[0]!, arr[1]!, arr[2]!];
  }
  if (!validMountMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  const opts = modeOptions(mode);
  const type: MountKind = source.startsWith('/') ? 'bind' : 'volume';
  let destination: string;
  try {
    destination = checkTarget(type, target);
  } catch (err) {
    throw new InvalidArgumentError(`${invalidSpec(raw)}: ${(err as Error).message}`, { cause: err });
  }
  const rw = !opts.includes('ro');
  if (type === 'bind') {
    return {
      type, destination, source: cleanPath(source), name: '', driver: '', rw, mode,
      propagation: opts.find((o) => PROPAGATIONS.has(o)) ?? DEFAULT_PROPAGATION, copyData: false, createHostPath: true,
    };
  }
  return {
    type, destination, source: '', name: source, driver: volumeDriver || 'local', rw,
    // moby setBindModeIfNull: a local volume given with -v shows mode "z".
    mode: mode === '' && (volumeDriver === '' || volumeDriver === 'local') && source !== '' ? 'z' : mode,
    propagation: '', copyData: !opts.includes('nocopy'), createHostPath: false,
  };
}

/** tmpfs data from TmpfsOptions (moby ConvertTmpfsOptions): ro, mode=%o, size with k/m/g. */
export function tmpfsData(o: Mount['TmpfsOptions'], readOnly: boolean): string {
  const raw: string[] = [];
  if (readOnly) raw.push('ro');
  if (o?.Mode) raw.push(`mode=${o.Mode.toString(8)}`);
  if (o?.SizeBytes) {
    if (o.SizeBytes < 0) throw new MountConfigError('tmpfs', `invalid tmpfs size: ${o.SizeBytes}`);
    let size = o.SizeBytes;
    let suffix = '';
    for (const [s, d] of [['g', 1 << 30], ['m', 1 << 20], ['k', 1 << 10]] as const) {
      if (size % d === 0) { size /= d; suffix = s; break; }
    }
    raw.push(`size=${size}${suffix}`);
  }
  for (const opt of o?.Options ?? []) {
    if (opt.length < 1 || opt.length > 2) throw new MountConfigError('tmpfs', 'invalid option array length');
    if (opt[0] !== 'exec' && opt[0] !== 'noexec') throw new MountConfigError('tmpfs', `invalid option: ${opt[0]}`);
    raw.push(opt.length === 1 ? opt[0] : `${opt[0]}=${opt[1]}`);
  }
  return raw.join(',');
}

/** HostConfig.Mounts entry → mount (validateMountConfigImpl + parseMountSpec). */
export function parseMount(m: Mount): MountRecord {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new InvalidArgumentError('invalid mount config: not an object');
  for (const f of ['Target', 'Source', 'Type'] as const) {
    if (m[f] !== undefined && m[f] !== null && typeof m[f] !== 'string') throw new InvalidArgumentError(`invalid mount config: field ${f} must be a string`);
  }
  const type = typeof m.Type === 'string' ? m.Type : '';
  if (type === 'image' || type === 'npipe' || type === 'cluster') {
    throw new NotImplementedError(`mounts of type ${JSON.stringify(type)} are not supported by berth`);
  }
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new MountConfigError(type, 'mount type unknown');
  const destination = checkTarget(type, m.Target);
  const extra = (field: 'BindOptions' | 'VolumeOptions' | 'TmpfsOptions'): void => {
    if (m[field] !== undefined && m[field] !== null) throw new MountConfigError(type, `field ${field} must not be specified`);
  };
  const rw = m.ReadOnly !== true;
  switch (type) {
    case 'bind': {
      if (!m.Source) throw new MountConfigError(type, 'field Source must not be empty');
      const prop = m.BindOptions?.Propagation ?? '';
      if (prop !== '' && !PROPAGATIONS.has(prop)) throw new MountConfigError(type, `invalid propagation mode: ${prop}`);
      extra('VolumeOptions'); extra('TmpfsOptions');
      if (!m.Source.startsWith('/')) throw new MountConfigError(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
      return {
        type, destination, source: cleanPath(m.Source), name: '', driver: '', rw, mode: '', propagation: prop || DEFAULT_PROPAGATION,
        copyData: false, createHostPath: m.BindOptions?.CreateMountpoint === true,
        ...(m.BindOptions?.NonRecursive ? { nonRecursive: true } : {}),
      };
    }
    case 'volume': {
      extra('BindOptions'); extra('TmpfsOptions');
      const vo = m.VolumeOptions ?? {};
      if (vo.Subpath) {
        if (!m.Source) throw new MountConfigError(type, 'must not set Subpath when using anonymous volumes');
        throw new NotImplementedError('volume subpaths (volume-subpath) are not supported by berth');
      }
      return {
        type, destination, source: '', name: m.Source ?? '', driver: vo.DriverConfig?.Name || 'local', rw, mode: '', propagation: '',
        copyData: vo.NoCopy !== true, createHostPath: false,
        create: { driverOpts: vo.DriverConfig?.Options ?? null, labels: vo.Labels ?? null },
      };
    }
    default: {
      extra('BindOptions'); extra('VolumeOptions');
      if (m.Source) throw new MountConfigError(type, 'field Source must not be specified');
      return {
        type, destination, source: '', name: '', driver: '', rw, mode: '', propagation: '', copyData: false, createHostPath: false,
        tmpfsOptions: tmpfsData(m.TmpfsOptions, m.ReadOnly === true),
      };
    }
  }
}

/** "container[:mode]" (ParseVolumesFrom): mode rw by default; no propagation or copy modes. */
export function parseVolumesFrom(spec: string): { ref: string; mode: string } {
  if (spec === '') throw new InvalidArgumentError('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const ref = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (mode === '') return { ref, mode: 'rw' };
  const opts = modeOptions(mode);
  if (!validMountMode(mode) || opts.some((o) => PROPAGATIONS.has(o) || o === 'nocopy')) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  return { ref, mode };
}

/** A tmpfs destination of HostConfig.Tmpfs (ValidateTmpfsMountDestination). */
export function checkTmpfsDestination(dest: string): string {
  const t = dest.replace(/\\/g, '/');
  if (posix.normalize(t) === '/') throw new InvalidArgumentError("invalid specification: destination can't be '/'");
  if (!t.startsWith('/')) throw new InvalidArgumentError(`invalid mount path: '${t}' mount path must be absolute`);
  return cleanPath(t);
}

export interface MountPlanInput {
  binds: readonly string[];
  mounts: readonly Mount[];
  tmpfs: readonly string[];
  /** Config.Volumes keys (the request's and the image's). */
  volumes: readonly string[];
  /** The mounts of each --volumes-from container, with the mode asked for. */
  volumesFrom: readonly { mounts: readonly MountRecord[]; mode: string }[];
  volumeDriver?: string;
}

/** All of a container's mounts, in moby's order and precedence; throws on duplicates. */
export function planMounts(input: MountPlanInput): MountRecord[] {
  const byDest = new Map<string, MountRecord>();
  const tmpfs = new Set(input.tmpfs.map(checkTmpfsDestination));
  for (const from of input.volumesFrom) {
    const rw = !modeOptions(from.mode).includes('ro');
    for (const m of from.mounts) {
      if (m.type === 'tmpfs') continue;
      byDest.set(m.destination, { ...m, rw: m.rw && rw, mode: '', copyData: false, createHostPath: m.type === 'bind' && m.createHostPath });
    }
  }
  const explicit = new Set<string>();
  const dup = (dest: string): InvalidArgumentError => new InvalidArgumentError(`Duplicate mount point: ${dest}`);
  for (const raw of input.binds) {
    const m = parseBind(raw, input.volumeDriver);
    if (explicit.has(m.destination) || tmpfs.has(m.destination)) throw dup(m.destination);
    explicit.add(m.destination);
    byDest.set(m.destination, m);
  }
  for (const spec of input.mounts) {
    const m = parseMount(spec);
    if (explicit.has(m.destination) || tmpfs.has(m.destination)) throw dup(m.destination);
    explicit.add(m.destination);
    byDest.set(m.destination, m);
  }
  for (const v of input.volumes) {
    const dest = checkTmpfsDestination(v);
    if (byDest.has(dest) || tmpfs.has(dest)) continue;
    byDest.set(dest, {
      type: 'volume', destination: dest, source: '', name: '', driver: input.volumeDriver || 'local', rw: true, mode: '', propagation: '',
      copyData: true, createHostPath: false,
    });
  }
  return [...byDest.values()];
}
