// dockerd --userns-remap: every container runs in a user namespace whose root is an
// unprivileged host uid/gid taken from /etc/subuid and /etc/subgid (moby daemon/daemon_unix.go
// setupRemappedRoot, pkg/idtools). "default" means the user and group `dockremap`, created
// here when missing, with a 65536-id range added after the highest range in use, as dockerd
// does. State of a remapping daemon lives in <data-root>/<uid>.<gid> (dockerd's layout), so
// layers unpacked for one mapping are never used under another.
import { appendFile, chmod, chown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, execTool, type Logger } from '../lib/index.ts';

export interface IdRemap {
  /** First host uid / gid of the container's ids (container 0 maps here). */
  uid: number;
  gid: number;
  uidSize: number;
  gidSize: number;
}

const DEFAULT_USER = 'dockremap';
const RANGE = 65536;

function entries(text: string): { name: string; start: number; size: number }[] {
  return text.split('\n').map((l) => l.trim().split(':')).filter((f) => f.length === 3 && /^\d+$/.test(f[1]!) && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, start: Number(f[1]), size: Number(f[2]) }));
}

async function lookup(file: string, db: 'passwd' | 'group', name: string): Promise<{ name: string; id: number } | null> {
  const text = await readFile(`/etc/${db}`, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    if (f[0] === name || f[2] === name) return { name: f[0]!, id: Number(f[2]) };
  }
  void file;
  return null;
}

/** The first subordinate range of `name` (or its numeric id) in /etc/subuid or /etc/subgid. */
async function subRange(file: string, who: { name: string; id: number }): Promise<{ start: number; size: number } | null> {
  const list = entries(await readFile(file, 'utf8').catch(() => ''));
  return list.find((e) => e.name === who.name || e.name === String(who.id)) ?? null;
}

/** Adds a free 65536-id range for `name` after every range in use (moby idtools createSubordinateRanges). */
async function addRange(file: string, name: string): Promise<void> {
  const list = entries(await readFile(file, 'utf8').catch(() => ''));
  const start = Math.max(100000, ...list.map((e) => e.start + e.size));
  await appendFile(file, `${name}:${start}:${RANGE}\n`, { mode: 0o644 });
}

export async function resolveRemap(spec: string, log: Logger): Promise<IdRemap> {
  const [userPart, groupPart] = spec.split(':');
  if (!userPart) throw new InvalidArgumentError(`invalid userns-remap ${JSON.stringify(spec)}: default or <user>[:<group>]`);
  let userName = userPart;
  let groupName = groupPart || userPart;
  if (userPart === 'default') {
    if (groupPart) throw new InvalidArgumentError('userns-remap "default" takes no group');
    userName = DEFAULT_USER;
    groupName = DEFAULT_USER;
    if (await lookup('', 'passwd', DEFAULT_USER) === null) {
      await execTool('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/bin/false', DEFAULT_USER]);
      log.info({ user: DEFAULT_USER }, 'created the user for --userns-remap default');
    }
  }
  const user = await lookup('', 'passwd', userName);
  if (user === null) throw new InvalidArgumentError(`userns-remap: no such user: ${userName}`);
  const group = await lookup('', 'group', groupName);
  if (group === null) throw new InvalidArgumentError(`userns-remap: no such group: ${groupName}`);
  if (userPart === 'default') {
    if (await subRange('/etc/subuid', user) === null) await addRange('/etc/subuid', user.name);
    if (await subRange('/etc/subgid', group) === null) await addRange('/etc/subgid', group.name);
  }
  const u = await subRange('/etc/subuid', user);
  if (u === null) throw new InvalidArgumentError(`couldn't find subuid range for user ${user.name} in /etc/subuid`);
  const g = await subRange('/etc/subgid', group);
  if (g === null) throw new InvalidArgumentError(`couldn't find subgid range for group ${group.name} in /etc/subgid`);
  return { uid: u.start, gid: g.start, uidSize: u.size, gidSize: g.size };
}

/** The data root of a remapping daemon: <data-root>/<uid>.<gid>, 0710 root:<gid> (dockerd's). */
export async function remappedDataRoot(dataRoot: string, remap: IdRemap): Promise<string> {
  const dir = join(dataRoot, `${remap.uid}.${remap.gid}`);
  await mkdir(dir, { recursive: true, mode: 0o710 });
  await chown(dir, 0, remap.gid);
  await chmod(dir, 0o710);
  return dir;
}

/** Lets the remapped root traverse (not list) the directories on the way to rootfs and binds. */
export async function openForRemappedRoot(dirs: readonly string[], remap: IdRemap): Promise<void> {
  for (const d of dirs) {
    await mkdir(d, { recursive: true, mode: 0o710 });
    await chown(d, 0, remap.gid);
    await chmod(d, 0o710);
  }
}
