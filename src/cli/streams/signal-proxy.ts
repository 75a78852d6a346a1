// --sig-proxy: signals the CLI receives are sent to the container instead of ending the
// CLI (docker's ForwardAllSignals), as `kill?signal=INT`. Returns a function that stops it.
import type { SignalSource } from '../cli-context.ts';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export function forwardSignals(signals: SignalSource, kill: (signal: string) => Promise<void>): () => void {
  const handlers = FORWARDED.map((sig) => {
    const handler = (): void => {
      // The container may be gone already; there is nothing to forward to then.
      kill(sig.slice(3)).catch(() => {});
    };
    signals.on(sig, handler);
    return [sig, handler] as const;
  });
  return () => { for (const [sig, h] of handlers) signals.off(sig, h); };
}
