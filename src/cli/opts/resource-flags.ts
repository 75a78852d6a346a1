// The resource flags of docker run/create/update (docker/cli opts/throttledevice.go,
// weightdevice.go, container/opts.go parseDevice, validateDeviceCgroupRule), parsed with
// docker's error wording. Each parser throws; the caller wraps it into pflag's message.
import { InvalidArgumentError } from '../../lib/index.ts';
import type { DeviceMapping, ThrottleDevice, WeightDevice } from '../../api/types/index.ts';
import { ramInBytes } from './mem-bytes.ts';

function splitDevice(v: string): [string, string] {
  const i = v.lastIndexOf(':');
  if (i < 0) throw new InvalidArgumentError(`bad format: ${v}`);
  const path = v.slice(0, i);
  if (!path.startsWith('/dev/')) throw new InvalidArgumentError(`bad format for device path: ${v}`);
  return [path, v.slice(i + 1)];
}

/** --device-read-bps /dev/sda:1mb */
export function parseThrottleBps(v: string): ThrottleDevice {
  const [path, rate] = splitDevice(v);
  let n: number;
  try { n = ramInBytes(rate); } catch {
    throw new InvalidArgumentError(`invalid rate for device: ${v}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`);
  }
  return { Path: path, Rate: n };
}

/** --device-read-iops /dev/sda:1000 */
export function parseThrottleIops(v: string): ThrottleDevice {
  const [path, rate] = splitDevice(v);
  if (!/^\d+$/.test(rate)) {
    throw new InvalidArgumentError(`invalid rate for device: ${v}. The correct format is <device-path>:<number>. Number must be a positive integer`);
  }
  return { Path: path, Rate: Number(rate) };
}

/** --blkio-weight-device /dev/sda:500 */
export function parseWeightDevice(v: string): WeightDevice {
  const [path, weight] = splitDevice(v);
  const w = Number(weight);
  if (!/^\d+$/.test(weight) || (w > 0 && (w < 10 || w > 1000))) throw new InvalidArgumentError(`invalid weight for device: ${v}`);
  return { Path: path, Weight: w };
}

function validDeviceMode(mode: string): boolean {
  return mode.length > 0 && mode.length <= 3 && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;
}

/** --device /dev/fuse[:/dev/fuse[:rwm]] */
export function parseDevice(v: string): DeviceMapping {
  const arr = v.split(':');
  let src = '';
  let dst = '';
  let perms = 'rwm';
  if (arr.length === 3) {
    if (!validDeviceMode(arr[2]!)) throw new InvalidArgumentError(`invalid device specification: ${v}`);
    [src, dst, perms] = [arr[0]!, arr[1]!, arr[2]!];
  } else if (arr.length === 2) {
    src = arr[0]!;
    if (validDeviceMode(arr[1]!)) perms = arr[1]!;
    else dst = arr[1]!;
  } else if (arr.length === 1) {
    src = arr[0]!;
  } else {
    throw new InvalidArgumentError(`invalid device specification: ${v}`);
  }
  if (dst === '') dst = src;
  if (!dst.startsWith('/')) throw new InvalidArgumentError(`invalid device path: ${dst}`);
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: perms };
}

/** --device-cgroup-rule "c 1:3 mr" */
export function validateDeviceCgroupRule(v: string): string {
  if (/^([acb]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.test(v)) return v;
  throw new InvalidArgumentError(`invalid device cgroup format '${v}'`);
}

/** pflag Uint16 (--blkio-weight). */
export function parseUint16(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (n > 65535) throw new InvalidArgumentError(`strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}
