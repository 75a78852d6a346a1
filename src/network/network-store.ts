// Networks on disk: <data-root>/network/<id>.json, each written atomically.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, readJsonFile, writeJsonAtomic } from '../lib/index.ts';
import type { NetworkRecord } from './types.ts';

export class NetworkStore {
  constructor(private readonly dir: string) {}

  async loadAll(): Promise<NetworkRecord[]> {
    await ensureDir(this.dir);
    const out: NetworkRecord[] = [];
    for (const f of await readdir(this.dir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(f)) continue;
      const r = await readJsonFile<NetworkRecord>(join(this.dir, f)).catch(() => undefined);
      if (r && r.id && r.name) out.push(r);
    }
    return out;
  }

  save(n: NetworkRecord): Promise<void> {
    return writeJsonAtomic(join(this.dir, `${n.id}.json`), n);
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.dir, `${id}.json`), { force: true });
  }
}
