// RUN --mount=<csv> (BuildKit frontend/dockerfile/instructions/commands_runmount.go
// parseMount): the flag's CSV fields as a typed mount, with BuildKit's defaults and error
// wording. Values are expanded by `expand` (the stage's ARG/ENV) before they are read, as
// BuildKit does. Relative targets are made absolute against the working directory. Pure.

export type RunMountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

export interface RunMount {
  type: RunMountType;
  /** Absolute target in the container ('' only while a secret's default is still to be made). */
  target: string;
  /** bind/cache: a stage, image or the context ('' = the context for bind, an empty dir for cache). */
  from: string;
  /** bind/cache: path in `from`; secret: the secret id when no id= is given. */
  source: string;
  readOnly: boolean;
  /** cache: the cache's id (default the target); secret: the secret's id; ssh: the agent's id (default "default"). */
  id: string;
  sharing: CacheSharing;
  /**
   * secret: fail when the secret was not given (default false). ssh: fail when the client
   * forwarded no agent by that id (default true in berth, so a build without --ssh says so
   * at once; BuildKit skips the mount unless required=true; required=false skips it here too).
   */
  required: boolean;
  /** cache/secret/ssh: mode (octal), uid, gid of the mounted directory, file or socket. */
  mode: number | null;
  uid: number | null;
  gid: number | null;
  /** tmpfs: size limit in bytes (null = none). */
  size: number | null;
}

export class RunMountError extends Error {}

const TYPES: readonly RunMountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];

/** Go's csv reader for one record: commas separate fields, "…" quotes with "" as a quote. */
export function csvFields(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= s.length) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new RunMountError(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += s[i++];
      }
      if (i < s.length && s[i] !== ',') throw new RunMountError(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      const end = s.indexOf(',', i);
      field = end < 0 ? s.slice(i) : s.slice(i, end);
      i = end < 0 ? s.length : end;
    }
    out.push(field);
    i++; // the comma
  }
  return out;
}

function parseBool(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new RunMountError(`invalid value for ${key}: ${value}`);
}

/** docker/go-units RAMInBytes: 64m, 1g, 512k, 100 (bytes). */
export function ramInBytes(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) return null;
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.floor(Number(m[1]) * mult[m[2]!.toLowerCase()]!);
}

function posixJoin(a: string, b: string): string {
  const parts: string[] = [];
  for (const p of `${a}/${b}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop(); else parts.push(p);
  }
  return '/' + parts.join('/');
}

/**
 * One --mount value. `expand` expands variables in a value; `workdir` makes relative targets
 * absolute. Defaults: type=bind; bind and secret read-only, cache and tmpfs writable; a cache's
 * id is its target; a secret's id is its source or the target's base name, its target
 * /run/secrets/<id>; an ssh mount's id is "default", its target /run/buildkit/ssh_agent.<n>
 * (n: how many ssh mounts the RUN has before it, `sshIndex`).
 */
export function parseRunMount(raw: string, expand: (v: string) => string = (v) => v, workdir = '/', sshIndex = 0): RunMount {
  const m: RunMount = {
    type: 'bind', target: '', from: '', source: '', readOnly: true, id: '', sharing: 'shared',
    required: false, mode: null, uid: null, gid: null, size: null,
  };
  let roAuto = true;
  let sharingSet = false;
  let requiredSet = false;
  for (const field of csvFields(raw)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') { m.readOnly = true; roAuto = false; continue; }
      if (key === 'readwrite' || key === 'rw') { m.readOnly = false; roAuto = false; continue; }
      if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw new RunMountError(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
        requiredSet = true;
        continue;
      }
      throw new RunMountError(`invalid field '${field}' must be a key=value pair`);
    }
    const value = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const t = value.toLowerCase();
        if (!(TYPES as readonly string[]).includes(t)) throw new RunMountError(`unsupported mount type "${value}"`);
        m.type = t as RunMountType;
        break;
      }
      case 'from': m.from = value; break;
      case 'source': case 'src': m.source = value; break;
      case 'target': case 'dst': case 'destination': m.target = value; break;
      case 'readonly': case 'ro': m.readOnly = parseBool(key, value); roAuto = false; break;
      case 'readwrite': case 'rw': m.readOnly = !parseBool(key, value); roAuto = false; break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw new RunMountError(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = parseBool(key, value);
        requiredSet = true;
        break;
      case 'size': {
        if (m.type !== 'tmpfs') throw new RunMountError(`unexpected key 'size' for mount type '${m.type}'`);
        const n = ramInBytes(value);
        if (n === null) throw new RunMountError(`invalid size value ${value}`);
        m.size = n;
        break;
      }
      case 'id': m.id = value; break;
      case 'sharing': {
        if (value !== '' && m.type !== 'cache') throw new RunMountError(`invalid cache sharing set for ${m.type} mount`);
        const v = value.toLowerCase();
        if (v !== 'shared' && v !== 'private' && v !== 'locked') throw new RunMountError(`unsupported sharing value "${value}"`);
        m.sharing = v;
        sharingSet = true;
        break;
      }
      case 'mode': {
        if (!/^[0-7]+$/.test(value) || parseInt(value, 8) > 0o7777) throw new RunMountError(`invalid value ${value} for mode`);
        m.mode = parseInt(value, 8);
        break;
      }
      case 'uid': case 'gid': {
        if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new RunMountError(`invalid value ${value} for ${key}`);
        m[key] = Number(value);
        break;
      }
      default:
        throw new RunMountError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (m.type !== 'secret' && m.type !== 'cache' && m.type !== 'ssh') {
    if (m.mode !== null) throw new RunMountError(`mode not allowed for "${m.type}" type mounts`);
    if (m.uid !== null) throw new RunMountError(`uid not allowed for "${m.type}" type mounts`);
    if (m.gid !== null) throw new RunMountError(`gid not allowed for "${m.type}" type mounts`);
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (sharingSet && m.type !== 'cache') throw new RunMountError(`invalid cache sharing set for ${m.type} mount`);
  if (m.type === 'secret') {
    if (m.from !== '') throw new RunMountError('secret mount should not have a from');
    if (m.source === '' && m.target === '' && m.id === '') throw new RunMountError('invalid secret mount. one of source, target required');
    if (m.source !== '' && m.id !== '') throw new RunMountError("both source and id can't be set");
    if (m.id === '') m.id = m.source !== '' ? m.source : m.target.split('/').filter((p) => p !== '').at(-1) ?? '';
    if (m.target === '') m.target = `/run/secrets/${m.id}`;
    m.source = '';
    m.readOnly = true;
  }
  if (m.type === 'ssh') {
    if (m.from !== '') throw new RunMountError('ssh mount should not have a from');
    if (m.source !== '') throw new RunMountError('ssh mount should not have a source');
    if (m.id === '') m.id = 'default';
    if (m.target === '') m.target = `/run/buildkit/ssh_agent.${sshIndex}`;
    if (!requiredSet) m.required = true;
    m.readOnly = true;
  }
  if (m.type === 'tmpfs' && m.from !== '') throw new RunMountError('tmpfs mount should not have a from');
  if (m.target === '') throw new RunMountError(`mount type ${m.type} requires a target (target=<path>)`);
  m.target = m.target.startsWith('/') ? posixJoin('/', m.target) : posixJoin(workdir || '/', m.target);
  if (m.target === '/') throw new RunMountError(`invalid mount target "/": a mount cannot replace the root filesystem`);
  if (m.type === 'cache' && m.id === '') m.id = m.target;
  return m;
}

/** The mount as it enters the RUN step's cache key (every field that changes what runs). */
export function runMountKey(m: RunMount): string {
  return JSON.stringify([m.type, m.target, m.from, m.source, m.readOnly, m.id, m.sharing, m.required, m.mode, m.uid, m.gid, m.size]);
}
