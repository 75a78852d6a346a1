// `--mount type=…,source=…,target=…` → HostConfig.Mounts entry (docker/cli opts/mount.go
// MountOpt.Set): CSV fields, type volume by default, Docker's messages for bad fields.
import { InvalidArgumentError } from '../../lib/index.ts';
import type { Mount } from '../../api/types/index.ts';
import { ramInBytes } from './mem-bytes.ts';

/** One CSV record (encoding/csv with its defaults: quotes group commas). */
function csvFields(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      if (ch === '"' && value[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"' && cur === '') {
      quoted = true;
    } else if (ch === ',') {
      out.push(cur); cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new InvalidArgumentError(`invalid value for ${key}: ${v}`);
}

function setOnMap(target: Record<string, string>, value: string): void {
  const i = value.indexOf('=');
  const k = i < 0 ? value : value.slice(0, i);
  if (k !== '') target[k] = i < 0 ? '' : value.slice(i + 1);
}

export function parseMountFlag(value: string): Mount {
  const m: Mount = { Type: 'volume' };
  const vol = (): NonNullable<Mount['VolumeOptions']> => (m.VolumeOptions ??= { Labels: {} });
  const bind = (): NonNullable<Mount['BindOptions']> => (m.BindOptions ??= {});
  const tmpfs = (): NonNullable<Mount['TmpfsOptions']> => (m.TmpfsOptions ??= {});
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') { m.ReadOnly = true; continue; }
      if (key === 'volume-nocopy') { vol().NoCopy = true; continue; }
      if (key === 'bind-nonrecursive') { bind().NonRecursive = true; continue; }
      throw new InvalidArgumentError(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type': m.Type = val.toLowerCase(); break;
      case 'source': case 'src': m.Source = val; break;
      case 'target': case 'dst': case 'destination': m.Target = val; break;
      case 'readonly': case 'ro': m.ReadOnly = parseBool(key, val); break;
      case 'consistency': m.Consistency = val.toLowerCase(); break;
      case 'bind-propagation': bind().Propagation = val.toLowerCase(); break;
      case 'bind-nonrecursive': bind().NonRecursive = parseBool(key, val); break;
      case 'volume-nocopy': vol().NoCopy = parseBool(key, val); break;
      case 'volume-label': setOnMap((vol().Labels ??= {}), val); break;
      case 'volume-driver': vol().DriverConfig = { ...(vol().DriverConfig ?? {}), Name: val }; break;
      case 'volume-opt': {
        const dc = (vol().DriverConfig ??= {});
        setOnMap((dc.Options ??= {}), val);
        break;
      }
      case 'volume-subpath': vol().Subpath = val; break;
      case 'tmpfs-size':
        try { tmpfs().SizeBytes = ramInBytes(val); } catch { throw new InvalidArgumentError(`invalid value for ${key}: ${val}`); }
        break;
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) throw new InvalidArgumentError(`invalid value for ${key}: ${val}`);
        tmpfs().Mode = Number.parseInt(val, 8);
        break;
      }
      default:
        throw new InvalidArgumentError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw new InvalidArgumentError('type is required');
  if (!m.Target) throw new InvalidArgumentError('target is required');
  if (m.VolumeOptions && m.Type !== 'volume') throw new InvalidArgumentError(`cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind') throw new InvalidArgumentError(`cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw new InvalidArgumentError(`cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}
