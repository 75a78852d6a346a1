// Gives memory back to the system when the daemon goes quiet. A burst of work (start-up, a
// pull, a build, 50 starts) leaves glibc's malloc arenas holding what V8's compiler threads
// and the thread pool freed: measured 10 MB of an idle berthd's 37 MB of anonymous memory.
// glibc only returns arena memory on malloc_trim(3), so after a quiet spell (no API request
// started for QUIET_MS) berthd calls it once; ~1 ms, and only after new activity.
import { libcFunc, type Logger } from '../lib/index.ts';

const QUIET_MS = 400;

type TrimFn = (pad: number) => number;

const loadTrim = (): TrimFn | null => libcFunc<TrimFn>('int malloc_trim(size_t pad)');

/**
 * Polls `activity` (a counter of started requests) every QUIET_MS; when it has not moved for a
 * whole period since it last did, trims once. Returns a stop function. The timer is unref'd.
 */
export function startIdleTrim(activity: () => number, log: Logger): () => void {
  const trim = loadTrim();
  if (trim === null) {
    log.debug({}, 'malloc_trim unavailable: memory is not returned when idle');
    return () => undefined;
  }
  let seen = -1;
  let trimmedAt = -1;
  const timer = setInterval(() => {
    const now = activity();
    if (now === seen && now !== trimmedAt) {
      trim(0);
      trimmedAt = now;
    }
    seen = now;
  }, QUIET_MS);
  timer.unref();
  return () => clearInterval(timer);
}
