// Options of tmpfs mounts (HostConfig.Tmpfs, --mount type=tmpfs), merged as moby/sys/mount
// MergeTmpfsOptions does: Docker's "noexec,nosuid,nodev,rprivate" first, then the user's;
// for each flag pair (rw/ro, exec/noexec, …) and each data key (size=, mode=, …) the last
// one wins; propagation modes count as one flag.
import { InvalidSpecInputError } from './errors.ts';

/** Option → the flag it sets or clears (both halves of a pair share the key). */
const FLAG_KEYS: Readonly<Record<string, string>> = {
  ro: 'rdonly', rw: 'rdonly', suid: 'nosuid', nosuid: 'nosuid', dev: 'nodev', nodev: 'nodev',
  exec: 'noexec', noexec: 'noexec', sync: 'sync', async: 'sync', dirsync: 'dirsync', remount: 'remount',
  mand: 'mand', nomand: 'mand', atime: 'noatime', noatime: 'noatime', diratime: 'nodiratime',
  nodiratime: 'nodiratime', bind: 'bind', rbind: 'rbind', relatime: 'relatime', norelatime: 'relatime',
  strictatime: 'strictatime', nostrictatime: 'strictatime',
  unbindable: 'propagation', runbindable: 'propagation', private: 'propagation', rprivate: 'propagation',
  shared: 'propagation', rshared: 'propagation', slave: 'propagation', rslave: 'propagation',
};

const DATA_KEYS: ReadonlySet<string> = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

export const DEFAULT_TMPFS_OPTIONS: readonly string[] = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/** Go's %q of a []string, as in moby's message: ["size"] or ["bogus" "1"]. */
function goQuoteList(parts: string[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(' ')}]`;
}

export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i] ?? '';
    if (option === 'defaults') continue;
    const flagKey = FLAG_KEYS[option];
    let key: string;
    if (flagKey !== undefined) {
      key = `flag:${flagKey}`;
    } else {
      const eq = option.indexOf('=');
      const parts = eq < 0 ? [option] : [option.slice(0, eq), option.slice(eq + 1)];
      if (eq < 0 || !DATA_KEYS.has(option.slice(0, eq))) {
        throw new InvalidSpecInputError(`invalid tmpfs option ${goQuoteList(parts)}`);
      }
      key = `data:${option.slice(0, eq)}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.unshift(option);
  }
  return out;
}

/** Options for a tmpfs mount from a user option string ("rw,noexec,size=64m") or list. */
export function tmpfsMountOptions(userOptions: string | readonly string[]): string[] {
  const user = typeof userOptions === 'string' ? (userOptions === '' ? [] : userOptions.split(',')) : userOptions;
  return mergeTmpfsOptions([...DEFAULT_TMPFS_OPTIONS, ...user]);
}
