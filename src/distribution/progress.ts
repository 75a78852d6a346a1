// Docker's JSON progress messages (moby pkg/jsonmessage): what the docker CLI draws as
// per-layer bars. A pull or push writes one message per line.

export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number } | Record<string, never>;
  error?: string;
  errorDetail?: { message: string };
  aux?: unknown;
}

export type ProgressSink = (m: ProgressMessage) => void;

/** The bar text docker's daemon sends alongside progressDetail ("[==>   ]  1.2MB/3.4MB"). */
export function progressBar(current: number, total: number): string {
  const width = 50;
  let bar = '';
  if (total > 0) {
    const filled = Math.min(width, Math.floor((current / total) * width));
    bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] `;
  }
  const text = total > 0 ? `${humanSize(current)}/${humanSize(total)}` : humanSize(current);
  return `${bar}${text.padStart(total > 0 ? 18 : 9)}`;
}

/** go-units HumanSize: decimal units, 3 significant digits. */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** Rate-limits per-id progress updates (a bar redraw per chunk would flood the stream). */
export function throttled(sink: ProgressSink, intervalMs = 100): (id: string, status: string, current: number, total: number) => void {
  const last = new Map<string, number>();
  return (id, status, current, total) => {
    const now = Date.now();
    if (current < total && now - (last.get(id) ?? 0) < intervalMs) return;
    last.set(id, now);
    sink({ status, id, progressDetail: { current, total }, progress: progressBar(current, total) });
  };
}
