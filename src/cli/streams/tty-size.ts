// Keeps the container's TTY the size of the local terminal (docker's MonitorTtySize): one
// resize right away, another on every terminal resize. Returns a function that stops it.
import type { OutStream } from '../cli-context.ts';

export function monitorTtySize(out: OutStream, resize: (height: number, width: number) => Promise<void>): () => void {
  const send = (): void => {
    const h = out.rows ?? 0;
    const w = out.columns ?? 0;
    if (h === 0 && w === 0) return;
    // A failed resize only affects line wrapping; the session goes on (docker logs it).
    resize(h, w).catch(() => {});
  };
  send();
  out.on('resize', send);
  return () => { out.off('resize', send); };
}

/** [height, width] of the terminal on stdout, [0, 0] when stdout is no terminal. */
export function consoleSize(out: OutStream): [number, number] {
  return out.isTTY ? [out.rows ?? 0, out.columns ?? 0] : [0, 0];
}
