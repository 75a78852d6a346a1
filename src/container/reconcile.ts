// Live-restore at daemon start (ANCHORS.md pain point 12). conmon outlives berthd, so for a
// record that says running we ask: did conmon write an exit file while we were down? If so
// the container exited: record the code and apply its restart policy. If not, and the
// runtime still knows it, it is running: watch its exit file again. Anything else (no
// process, e.g. after a reboot) is recorded as exited with code 255... unless an exit code
// is known. Half-done transitions (removing, restarting) are finished.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runtimeFor, type ContainerContext } from './context.ts';
import type { Container } from './record.ts';
import { recordExit } from './ops/exit.ts';
import { removeContainer } from './ops/remove.ts';
import { tearDownNetwork } from './networking.ts';

export interface ReconcileResult { running: Container[]; followUps: (() => Promise<void>)[] }

async function exitCodeOf(ctx: ContainerContext, c: Container): Promise<number | null> {
  // The exit dir and the bundle are per boot; the data dir's copy is where an older berthd had
  // conmon write it.
  for (const p of [join(ctx.conmon.exitDir, c.config.id), ctx.conmon.exitMarker(c.config.id), join(ctx.store.dir(c.config.id), 'exit')]) {
    try {
      const t = (await readFile(p, 'utf8')).trim();
      if (t !== '') return Number.parseInt(t, 10);
    } catch { /* not there */ }
  }
  return null;
}

/** Running containers keep their sandboxes; a namespace left by a crash mid-start is removed. */
export async function restoreNetworks(ctx: ContainerContext, running: Container[]): Promise<void> {
  const live = new Set(running.map((c) => c.config.id));
  for (const c of running) {
    if (c.state.sandbox) await ctx.network.restoreSandbox(c.config.id, c.state.name, c.config.config.Hostname || c.config.id.slice(0, 12), c.state.sandbox);
  }
  for (const c of ctx.store.all()) if (!live.has(c.config.id)) tearDownNetwork(ctx, c);
  await ctx.network.restoreDone();
  const stale = await ctx.network.removeStaleNamespaces();
  if (stale) ctx.log.info({ stale }, 'removed network namespaces left by a crash');
}

export async function reconcileContainers(ctx: ContainerContext): Promise<ReconcileResult> {
  const running: Container[] = [];
  const followUps: (() => Promise<void>)[] = [];
  await Promise.all(ctx.store.all().map(async (c) => {
    const id = c.config.id;
    try {
      switch (c.state.status) {
        case 'running':
        case 'paused': {
          const code = await exitCodeOf(ctx, c);
          if (code === null) {
            const st = await runtimeFor(ctx, c.state.runtime).state(id);
            if (st && (st.status === 'running' || st.status === 'paused' || st.status === 'created')) {
              c.state.status = st.status === 'paused' ? 'paused' : 'running';
              ctx.exits.track(id);
              running.push(c);
              return;
            }
          }
          const after = await recordExit(ctx, c, code ?? 255);
          if (after) followUps.push(after);
          return;
        }
        case 'restarting': {
          c.state.status = 'running';
          const after = await recordExit(ctx, c, c.state.exitCode);
          if (after) followUps.push(after);
          return;
        }
        case 'removing':
          c.state.status = 'dead';
          followUps.push(() => removeContainer(ctx, id, { force: true, volumes: false }));
          return;
        default:
          break;
      }
    } catch (err) {
      ctx.log.warn({ err, container: id }, 'reconcile failed');
    }
  }));
  return { running, followUps };
}
