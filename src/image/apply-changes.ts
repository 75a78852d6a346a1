// `docker import --change` / `commit --change`: Dockerfile instructions applied to an image
// config. Docker allows CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER,
// VOLUME and WORKDIR here (moby daemon/commit.go, builder/dockerfile BuildFromConfig).
import { InvalidArgumentError } from '../lib/index.ts';
import type { ImageRuntimeConfig } from '../oci/index.ts';

function jsonArray(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* not JSON: shell form */ }
  return null;
}

function keyValues(text: string, instr: string): [string, string][] {
  const out: [string, string][] = [];
  const t = text.trim();
  if (!t.includes('=') || /^\S+\s/.test(t) && !/^\S+=/.test(t)) {
    // Legacy form "ENV KEY value with spaces"
    const m = /^(\S+)\s+(.*)$/.exec(t);
    if (!m) throw new InvalidArgumentError(`${instr} requires at least one argument`);
    return [[m[1]!, m[2]!]];
  }
  const re = /([^\s=]+)=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g;
  for (const m of t.matchAll(re)) out.push([m[1]!, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? m[5] ?? '')]);
  return out;
}

export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const cfg: ImageRuntimeConfig = { ...base };
  for (const raw of changes) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+)\s*(.*)$/s.exec(line);
    const instr = m![1]!.toUpperCase();
    const args = m![2]!;
    switch (instr) {
      case 'CMD':
      case 'ENTRYPOINT': {
        const arr = jsonArray(args) ?? ['/bin/sh', '-c', args];
        if (instr === 'CMD') cfg.Cmd = arr; else cfg.Entrypoint = arr;
        break;
      }
      case 'ENV': {
        const env = [...(cfg.Env ?? [])];
        for (const [k, v] of keyValues(args, 'ENV')) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`; else env.push(`${k}=${v}`);
        }
        cfg.Env = env;
        break;
      }
      case 'LABEL': {
        cfg.Labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of keyValues(args, 'LABEL')) cfg.Labels[k] = v;
        break;
      }
      case 'EXPOSE': {
        cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of args.trim().split(/\s+/)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) throw new InvalidArgumentError(`invalid containerPort: ${p}`);
          cfg.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        }
        break;
      }
      case 'VOLUME': {
        cfg.Volumes = { ...(cfg.Volumes ?? {}) };
        for (const v of jsonArray(args) ?? args.trim().split(/\s+/)) cfg.Volumes[v] = {};
        break;
      }
      case 'WORKDIR': cfg.WorkingDir = args.trim(); break;
      case 'USER': cfg.User = args.trim(); break;
      case 'STOPSIGNAL': cfg.StopSignal = args.trim(); break;
      case 'ONBUILD': cfg.OnBuild = [...(cfg.OnBuild ?? []), args.trim()]; break;
      default:
        throw new InvalidArgumentError(`${instr.toLowerCase()} is not a valid change command`);
    }
  }
  return cfg;
}
