// Host device nodes named by --device and the blkio device options, stat'ed at start so
// spec generation (pure) gets their type and numbers (moby oci.DevicesFromPath,
// getBlkioThrottleDevices). A path that is missing or no device is left out: specgen then
// reports it with Docker's wording.
import { stat } from 'node:fs/promises';
import type { HostConfig } from '../api/types/index.ts';
import { hostPathsOf, type HostDeviceNode } from '../specgen/index.ts';

/** Linux's new_decode_dev: 12 bits of major, 20 of minor, spread over dev_t. */
export function splitDev(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

export async function hostDeviceNodes(hc: HostConfig): Promise<Record<string, HostDeviceNode>> {
  const out: Record<string, HostDeviceNode> = {};
  await Promise.all(hostPathsOf(hc).map(async (path) => {
    const st = await stat(path).catch(() => null);
    if (st === null || (!st.isCharacterDevice() && !st.isBlockDevice())) return;
    out[path] = { type: st.isBlockDevice() ? 'b' : 'c', ...splitDev(st.rdev), fileMode: st.mode & 0o777, uid: st.uid, gid: st.gid };
  }));
  return out;
}
