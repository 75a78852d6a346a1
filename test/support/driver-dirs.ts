// The graph driver's directories under a data root, for tests that run on any driver
// (BERTH_TEST_STORAGE_DRIVER=vfs|btrfs; overlay2 by default).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_DRIVER = process.env.BERTH_TEST_STORAGE_DRIVER || 'overlay2';

const ls = (p: string): string[] => (existsSync(p) ? readdirSync(p).sort() : []);

/** The driver's layer dirs (image layers and containers' layers); removed ones are left out. */
export function driverLayerDirs(dataRoot: string, driver = TEST_DRIVER): string[] {
  // l/ (short links) and init/ (the shared init lower) are bookkeeping, not layers.
  if (driver === 'overlay2') return ls(join(dataRoot, 'overlay2')).filter((n) => n !== 'l' && n !== 'init' && !n.endsWith('-removing'));
  return ls(join(dataRoot, driver, driver === 'btrfs' ? 'subvolumes' : 'dir'));
}

/** Half-made layers (staged tars, layers being made): none may stay once an operation ended. */
export function driverStagedDirs(dataRoot: string, driver = TEST_DRIVER): string[] {
  if (driver === 'overlay2') return driverLayerDirs(dataRoot, driver).filter((n) => existsSync(join(dataRoot, 'overlay2', n, 'staged')));
  return ls(join(dataRoot, driver, 'staging'));
}
