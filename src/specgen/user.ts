// `--user` resolution against the image's /etc/passwd and /etc/group, with Docker's
// semantics (runc libcontainer/user GetExecUser + GetAdditionalGroups, moby
// daemon/oci_linux.go getUser). The caller reads the two files from the rootfs (null when
// absent); this file only parses text.
//   ""            uid 0, its passwd entry if any
//   name | uid    the passwd entry (a uid without one is allowed), supplementary groups from
//                 the /etc/group lists that name the user
//   x:group       as above, but the gid is the group's (a gid without an entry is allowed)
//                 and there are no supplementary groups
// additionalGids = [gid, …supplementary, …GroupAdd], as moby sets them (duplicates removed).
import { UnknownUserError } from './errors.ts';
import type { ResolvedUser } from './spec-input.ts';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;
const NUMERIC = /^[+-]?\d+$/;
const RANGE_MESSAGE = `uids and gids must be in range 0-${MAX_ID}`;

/** Go strconv.Atoi as runc's parseLine uses it: a malformed number reads as 0. */
function atoiOrZero(s: string | undefined): number {
  return s !== undefined && NUMERIC.test(s) ? Number(s) : 0;
}

function lines(text: string): string[][] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => l.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((f) => ({ name: f[0] ?? '', uid: atoiOrZero(f[2]), gid: atoiOrZero(f[3]) }));
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).map((f) => ({
    name: f[0] ?? '',
    gid: atoiOrZero(f[2]),
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw new UnknownUserError(RANGE_MESSAGE);
  return id;
}

/** HostConfig.GroupAdd: names or gids; a gid without an entry is allowed. */
function additionalGroups(groupAdd: readonly string[], groups: readonly GroupEntry[]): number[] {
  return groupAdd.map((want) => {
    const hit = groups.find((g) => g.name === want || String(g.gid) === want);
    if (hit !== undefined) return hit.gid;
    if (!NUMERIC.test(want)) {
      throw new UnknownUserError(`Unable to find group ${want}: no matching entries in group file`);
    }
    return checkRange(Number(want));
  });
}

/**
 * Resolves `user` ("name", "uid", "name:group", "uid:gid", "" for root) to numeric ids.
 * `passwd`/`group` are the contents of the rootfs's /etc/passwd and /etc/group, or null.
 */
export function resolveUser(
  user: string,
  passwd: string | null,
  group: string | null,
  groupAdd: readonly string[] = [],
): ResolvedUser {
  // runc parseLine: "user:group", anything after a second ':' is ignored.
  const [userArg = '', groupArg = ''] = user.split(':');
  const users = passwd === null ? [] : parsePasswd(passwd);
  const groups = group === null ? [] : parseGroup(group);

  let uid = 0;
  let gid = 0;
  let matchedName = '';
  const matched = users.find((u) => {
    if (userArg === '') return u.uid === 0;
    if (NUMERIC.test(userArg)) return u.uid === Number(userArg);
    return u.name === userArg;
  });
  if (matched !== undefined) {
    ({ uid, gid } = matched);
    matchedName = matched.name;
  } else if (userArg !== '') {
    if (!NUMERIC.test(userArg)) {
      throw new UnknownUserError(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = checkRange(Number(userArg));
  }

  let supplementary: number[] = [];
  if (groupArg !== '') {
    const hit = groups.find((g) => (NUMERIC.test(groupArg) ? g.gid === Number(groupArg) : g.name === groupArg));
    if (hit !== undefined) gid = hit.gid;
    else if (!NUMERIC.test(groupArg)) {
      throw new UnknownUserError(`unable to find group ${groupArg}: no matching entries in group file`);
    } else gid = checkRange(Number(groupArg));
  } else if (matchedName !== '') {
    supplementary = groups.filter((g) => g.members.includes(matchedName)).map((g) => g.gid);
  }

  const extra = additionalGroups(groupAdd, groups);
  return { uid, gid, additionalGids: [...new Set([gid, ...supplementary, ...extra])] };
}
