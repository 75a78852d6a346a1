// A layer push that fails for a reason that may pass (the registry answered 5xx, or the
// connection broke) is tried again, as dockerd retries each layer upload: here up to 3 more
// times after 0.5, 1 and 2 s (dockerd waits 5, 10, 15… s), counting down "Retrying in N
// seconds" on the layer's progress line as dockerd does. A refusal (auth, bad request, a
// manifest problem) fails at once. Each attempt starts clean: push-stream.ts aborts its
// content writer and cancels its upload session when it fails.
import type { ProgressSink } from '../distribution/index.ts';

export const PUSH_RETRY_DELAYS_MS = [500, 1000, 2000];

/** Whether an error is worth another attempt (the closed error kinds: 'unavailable'). */
export function retryable(err: unknown): boolean {
  return (err as { kind?: string }).kind === 'unavailable';
}

export async function withRetries<T>(attempt: () => Promise<T>, id: string, progress: ProgressSink, delaysMs: readonly number[] = PUSH_RETRY_DELAYS_MS): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= delaysMs.length || !retryable(err)) throw err;
      for (let left = delaysMs[i]!; left > 0; left -= 1000) {
        const secs = Math.ceil(left / 1000);
        progress({ status: `Retrying in ${secs} second${secs === 1 ? '' : 's'}`, id, progressDetail: {} });
        await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
      }
    }
  }
}
