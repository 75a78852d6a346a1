// POST /containers/{id}/wait: conditions not-running (default), next-exit, removed.
import { InvalidArgumentError } from '../../lib/index.ts';
import { addListener, type ContainerContext } from '../context.ts';
import type { Container } from '../record.ts';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export function parseWaitCondition(v: string | undefined): WaitCondition {
  if (v === undefined || v === '' || v === 'not-running') return 'not-running';
  if (v === 'next-exit' || v === 'removed') return v;
  throw new InvalidArgumentError(`invalid condition: "${v}"`);
}

function isStopped(c: Container): boolean {
  return c.state.status === 'created' || c.state.status === 'exited' || c.state.status === 'dead';
}

/** Resolves with the exit code; rejects when `signal` aborts (the client went away). */
export function waitContainer(ctx: ContainerContext, ref: string, condition: WaitCondition, signal: AbortSignal): Promise<number> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  return new Promise((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const done = (fn: () => void): void => { for (const x of cleanups) x(); fn(); };
    const onAbort = (): void => done(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
    if (condition === 'not-running' && isStopped(c)) { done(() => resolve(c.state.exitCode)); return; }
    if (condition === 'removed') {
      let code = c.state.exitCode;
      cleanups.push(addListener(ctx.exitListeners, id, (x) => { code = x.state.exitCode; }));
      cleanups.push(addListener(ctx.removeListeners, id, () => done(() => resolve(code))));
      if (!ctx.store.has(id)) done(() => resolve(code));
      return;
    }
    cleanups.push(addListener(ctx.exitListeners, id, (x) => done(() => resolve(x.state.exitCode))));
  });
}
