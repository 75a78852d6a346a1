// Picks the graph driver at daemon start and records it in the data root
// (<data-root>/layer/driver), so a daemon restarted with another --storage-driver refuses
// instead of reading one driver's layers as another's. Data roots made before the record
// existed are overlay2's when they hold any layer.
import { statfs, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic, InvalidArgumentError } from '../lib/index.ts';
import { backingFsName, chooseDriver, DRIVER_NAMES, type DriverName } from './graph-driver.ts';

export interface DriverChoice { name: DriverName; backingFs: string }

async function nonEmpty(dir: string, ignore: readonly string[] = []): Promise<boolean> {
  return (await readdir(dir).catch(() => [] as string[])).some((n) => !ignore.includes(n));
}

export async function recordedDriver(dataRoot: string): Promise<DriverName | null> {
  const text = (await readFile(join(dataRoot, 'layer', 'driver'), 'utf8').catch(() => '')).trim();
  if (DRIVER_NAMES.includes(text as DriverName)) return text as DriverName;
  if (await nonEmpty(join(dataRoot, 'layer', 'sha256')) || await nonEmpty(join(dataRoot, 'overlay2'), ['l'])) return 'overlay2';
  return null;
}

/** The driver for this data root (`requested` = --storage-driver, '' = automatic); records it. */
export async function selectGraphDriver(dataRoot: string, requested: string): Promise<DriverChoice> {
  await ensureDir(join(dataRoot, 'layer'));
  const backingFs = backingFsName((await statfs(dataRoot)).type);
  let name: DriverName;
  try {
    name = chooseDriver(requested, await recordedDriver(dataRoot), backingFs, dataRoot);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  await writeFileAtomic(join(dataRoot, 'layer', 'driver'), name);
  return { name, backingFs };
}
