// HostConfig.SecurityOpt parsing (moby daemon/daemon_unix.go parseSecurityOpt). Accepted:
//   no-new-privileges[=|:true|false]   seccomp=unconfined | seccomp=builtin | seccomp=<profile JSON>
//   label=… / disable                  apparmor=<profile>        systempaths=unconfined
// The docker CLI reads `seccomp=<file>` itself and sends the file's JSON content, so a value
// that is neither "unconfined" nor "builtin" is a profile. `systempaths=unconfined` is turned
// into empty MaskedPaths/ReadonlyPaths by the docker CLI; other clients may send it as is.
// AppArmor and SELinux are not available on berth's hosts: those options are accepted and
// reported back as warnings, as Docker silently ignores them on such hosts.
import { InvalidSecurityOptError, InvalidSeccompProfileError } from './errors.ts';
import type { DockerSeccompProfile } from './seccomp-profile.ts';

export type SeccompChoice =
  | { mode: 'default' }
  | { mode: 'unconfined' }
  | { mode: 'custom'; profile: DockerSeccompProfile };

export interface SecurityOptions {
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
  /** No masked and no read-only paths. */
  systemPathsUnconfined: boolean;
  /** Options accepted but without effect on this host, for the create response's Warnings. */
  warnings: string[];
}

/** Go strconv.ParseBool. */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shape check of a decoded profile: enough that the converter cannot trip over it. */
function isDockerSeccompProfile(v: unknown): v is DockerSeccompProfile {
  if (!isObject(v)) return false;
  if (v['defaultAction'] !== undefined && typeof v['defaultAction'] !== 'string') return false;
  const syscalls = v['syscalls'];
  if (syscalls === undefined || syscalls === null) return true;
  if (!Array.isArray(syscalls)) return false;
  return syscalls.every((r: unknown) => isObject(r) && typeof r['action'] === 'string'
    && (r['names'] === undefined || r['names'] === null
      || (Array.isArray(r['names']) && r['names'].every((n: unknown) => typeof n === 'string'))));
}

/** Decodes a profile sent as `seccomp=<json>` (moby seccomp.LoadProfile wording). */
export function decodeSeccompProfile(body: string): DockerSeccompProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidSeccompProfileError(`Decoding seccomp profile failed: ${reason}`, err);
  }
  if (!isDockerSeccompProfile(parsed)) {
    throw new InvalidSeccompProfileError('Decoding seccomp profile failed: not a seccomp profile object');
  }
  if (parsed.defaultAction === undefined) parsed.defaultAction = '';
  return parsed;
}

function splitOpt(opt: string): [string, string] | undefined {
  // '=' is the separator; ':' is moby's deprecated one, still accepted.
  for (const sep of ['=', ':']) {
    const i = opt.indexOf(sep);
    if (i >= 0) return [opt.slice(0, i), opt.slice(i + 1)];
  }
  return undefined;
}

export function parseSecurityOpt(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = {
    noNewPrivileges: false,
    seccomp: { mode: 'default' },
    systemPathsUnconfined: false,
    warnings: [],
  };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue; // label=disable: nothing to disable without SELinux
    const kv = splitOpt(opt);
    if (kv === undefined) throw new InvalidSecurityOptError(1, opt);
    const [key, value] = kv;
    switch (key) {
      case 'no-new-privileges': {
        const b = parseGoBool(value);
        if (b === undefined) throw new InvalidSecurityOptError(2, opt);
        out.noNewPrivileges = b;
        break;
      }
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = { mode: 'unconfined' };
        else if (value === 'builtin' || value === '') out.seccomp = { mode: 'default' };
        else out.seccomp = { mode: 'custom', profile: decodeSeccompProfile(value) };
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw new InvalidSecurityOptError(2, opt);
        out.systemPathsUnconfined = true;
        break;
      case 'apparmor':
        out.warnings.push(`AppArmor is not available on this host: security option ${JSON.stringify(opt)} is ignored`);
        break;
      case 'label':
        if (value !== 'disable') {
          out.warnings.push(`SELinux is not available on this host: security option ${JSON.stringify(opt)} is ignored`);
        }
        break;
      default:
        throw new InvalidSecurityOptError(2, opt);
    }
  }
  return out;
}
