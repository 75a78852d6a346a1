// The device cgroup allow-list of an unprivileged container. moby's DefaultLinuxSpec lists
// deny-all, c 1:5 1:3 1:9 1:8 5:0 5:1 and an explicit deny of c 10:229 (fuse); runc then
// appends its own defaults (c/b *:* m, 1:7, 5:2, 136:*, 10:200) and crun does the same.
// Writing the union here makes the effective list the same whichever runtime runs the spec.
// Order matters: runc's v1 emulator refuses a deny that punches a hole in an earlier
// wildcard allow ("cannot punch hole in existing wildcard rule"), so the fuse deny comes
// before the c *:* m wildcard, exactly where it sits in Docker's effective list.
import type { OciDeviceCgroup } from '../oci/index.ts';
import { InvalidDeviceError } from './errors.ts';

function allowChar(major: number, minor: number | undefined, access = 'rwm'): OciDeviceCgroup {
  return minor === undefined ? { allow: true, type: 'c', major, access } : { allow: true, type: 'c', major, minor, access };
}

export function defaultDeviceRules(): OciDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    allowChar(1, 3), // /dev/null
    allowChar(1, 5), // /dev/zero
    allowChar(1, 7), // /dev/full
    allowChar(1, 8), // /dev/random
    allowChar(1, 9), // /dev/urandom
    allowChar(5, 0), // /dev/tty
    allowChar(5, 1), // /dev/console
    allowChar(5, 2), // /dev/ptmx
    allowChar(136, undefined), // /dev/pts/*
    allowChar(10, 200), // /dev/net/tun
    { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
    { allow: true, type: 'c', access: 'm' }, // mknod of any char device (CAP_MKNOD is default)
    { allow: true, type: 'b', access: 'm' }, // mknod of any block device
  ];
}

/** A privileged container may use every device. */
export function privilegedDeviceRules(): OciDeviceCgroup[] {
  return [{ allow: true, access: 'rwm' }];
}

const CGROUP_RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** A --device-cgroup-rule ("c 1:3 rwm", "a *:* m") as an allow rule (moby WithDevices wording). */
export function parseDeviceCgroupRule(rule: string): OciDeviceCgroup {
  const m = CGROUP_RULE.exec(rule);
  if (!m) throw new InvalidDeviceError(`invalid device cgroup format '${rule}'`);
  const out: OciDeviceCgroup = { allow: true, type: m[1] as 'a' | 'c' | 'b', access: m[4]! };
  if (m[2] !== '*') out.major = Number(m[2]);
  if (m[3] !== '*') out.minor = Number(m[3]);
  return out;
}

/** The cgroup permissions of a --device mapping ("rwm" when empty). */
export function deviceCgroupPermissions(perm: string | undefined, device: string): string {
  const p = perm === undefined || perm === '' ? 'rwm' : perm;
  if (!/^[rwm]{1,3}$/.test(p)) throw new InvalidDeviceError(`invalid device mode: ${p} (device ${device})`);
  return p;
}
