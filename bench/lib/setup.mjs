// The engine set-up the benches share: earlier runs' leftovers swept, a work dir
// /var/tmp/berth-bench-*, the engines asked for (dockerd, berthd or both; private, as in
// run.mjs), their state written for the stale sweep as each starts, and at close the engines
// stopped, everything under the work dir swept (processes, mounts, bridges, cgroups, the dir)
// and the host files dockerd made removed.
import { mkdtempSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Berthd, Dockerd } from './engines.mjs';
import { fullSnapshot, leftovers, removeDockerdHostFiles } from './host.mjs';
import { sweep, sweepStale, writeState } from './cleanup.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * engine: 'both' | 'berthd' | 'dockerd'. Returns { work, runId, engines, start(e), close() };
 * call close() in a finally.
 */
export async function setUpEngines({ engine = 'both', log = console.error, runtime = 'crun' } = {}) {
  await sweepStale(log);
  const before = await fullSnapshot();
  const work = mkdtempSync('/var/tmp/berth-bench-');
  const runId = basename(work).slice('berth-bench-'.length);
  const engines = [];
  if (engine !== 'berthd') engines.push(new Dockerd(work, runId));
  if (engine !== 'dockerd') engines.push(new Berthd(work, runId, { script: join(ROOT, 'dist/berthd.js'), runtime }));
  const state = () => ({
    ownerPid: process.pid, work, engines: engines.map((e) => e.state()),
    bridges: engines.filter((e) => e.bridge).map((e) => e.bridge), cgroups: engines.map((e) => e.cgroupParent), hostFilesBefore: before.files,
  });
  writeState(work, state());
  return {
    work,
    runId,
    engines,
    async start(e) {
      await e.start();
      writeState(work, state());
    },
    async close() {
      for (const e of engines) await e.stop().catch((err) => log(`stopping ${e.name}: ${err.message}`));
      for (const n of await sweep(state())) log(n);
      if (engines.some((e) => e.name === 'dockerd')) removeDockerdHostFiles(before);
      for (const l of await leftovers(before)) log(`host change still present (may be someone else's): ${l}`);
    },
  };
}
