// berth stats [CONTAINER...]: docker stats. --no-stream prints one table from one reading
// per container (GET /containers/{id}/stats?stream=false); without it, each container's
// stats stream feeds a table redrawn every 500 ms the way docker redraws it (cursor home,
// each line followed by erase-to-end-of-line, then erase the rest of the screen). Without
// container arguments the list is refreshed every 2 s, so containers that start or go away
// come and go from the table.
import type { EngineApi } from '../../../client/index.ts';
import { renderList } from '../../format/formatter.ts';
import { STATS_HEADER, emptyEntry, statsContext, statsEntry, statsFormat, type StatsEntry } from '../../format/stats-context.ts';
import { describeError } from '../../describe-error.ts';
import { StatusError } from '../../status-error.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

interface StatsOptions { all?: boolean; format?: string; stream: boolean; trunc: boolean }

const REDRAW_MS = 500;
const RELIST_MS = 2000;

interface Target { key: string; shown: string }

async function targets(api: EngineApi, args: string[], all: boolean): Promise<Target[]> {
  if (args.length > 0) return args.map((a) => ({ key: a, shown: a }));
  const list = await api.containers.list({ all });
  return list.map((c) => ({ key: c.Id, shown: c.Id })); // .Container is the full id then, as docker's NewStats(ctr.ID)
}

function render(entries: StatsEntry[], format: string, trunc: boolean): string {
  return renderList({ format: statsFormat(format), header: STATS_HEADER, items: entries.map((e) => statsContext(e, trunc)) });
}

async function oneReading(api: EngineApi, t: Target): Promise<StatsEntry> {
  const frames = await api.containers.stats(t.key, { stream: false });
  for await (const s of frames) return statsEntry(t.shown, s);
  const e = emptyEntry(t.shown);
  e.isInvalid = true;
  return e;
}

export function statsVerb(): VerbSpec<StatsOptions> {
  return {
    name: 'stats',
    usage: '[OPTIONS] [CONTAINER...]',
    description: 'Display a live stream of container(s) resource usage statistics',
    args: {},
    options: (cmd) => cmd
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-stream', 'Disable streaming stats and only pull the first result')
      .option('--no-trunc', "Don't truncate output"),
    action: async ({ ctx, args, opts, client }) => {
      const api = client();
      const format = opts.format ?? '';
      if (!opts.stream) {
        const list = await targets(api, args, opts.all === true);
        const results = await Promise.allSettled(list.map((t) => oneReading(api, t)));
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
        if (failed.length === 1) throw failed[0];
        if (failed.length > 1) throw new StatusError(1, failed.map(describeError).join('\n'));
        const entries = results.map((r) => (r as PromiseFulfilledResult<StatsEntry>).value);
        await writeOut(ctx.out, render(entries, format, opts.trunc));
        return;
      }
      await liveStats(ctx, api, args, opts, format);
    },
  };
}

async function liveStats(
  ctx: Parameters<VerbSpec<StatsOptions>['action']>[0]['ctx'], api: EngineApi, args: string[], opts: StatsOptions, format: string,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  ctx.signals.on('SIGINT', onSignal);
  ctx.signals.on('SIGTERM', onSignal);
  const entries = new Map<string, StatsEntry>();
  const readers = new Map<string, AbortController>();
  const errors: unknown[] = [];

  const follow = (t: Target): void => {
    if (readers.has(t.key)) return;
    const ac = new AbortController();
    readers.set(t.key, ac);
    entries.set(t.key, emptyEntry(t.shown));
    const abort = (): void => ac.abort();
    stop.signal.addEventListener('abort', abort, { once: true });
    void (async () => {
      try {
        for await (const s of await api.containers.stats(t.key, { stream: true, signal: ac.signal })) {
          if (ac.signal.aborted) break;
          entries.set(t.key, statsEntry(t.shown, s));
        }
      } catch (e) {
        if (!ac.signal.aborted) {
          if (args.length > 0) { errors.push(e); stop.abort(); }
          const gone = entries.get(t.key);
          if (gone) gone.isInvalid = true;
        }
      } finally {
        stop.signal.removeEventListener('abort', abort);
      }
    })();
  };
  const relist = async (): Promise<void> => {
    const now = await targets(api, args, opts.all === true);
    const keep = new Set(now.map((t) => t.key));
    for (const t of now) follow(t);
    if (args.length > 0) return;
    for (const [key, ac] of readers) {
      if (keep.has(key)) continue;
      ac.abort();
      readers.delete(key);
      entries.delete(key);
    }
  };

  await relist();
  await writeOut(ctx.out, '\x1b[2J');
  let lastList = Date.now();
  try {
    while (!stop.signal.aborted) {
      await new Promise((r) => { const t = setTimeout(r, REDRAW_MS); stop.signal.addEventListener('abort', () => { clearTimeout(t); r(undefined); }, { once: true }); });
      if (stop.signal.aborted) break;
      if (args.length === 0 && Date.now() - lastList >= RELIST_MS) {
        lastList = Date.now();
        await relist().catch(() => undefined);
      }
      const text = render([...entries.values()], format, opts.trunc);
      let screen = '\x1b[H';
      for (const line of text.split('\n').slice(0, -1)) screen += `${line}\x1b[K\n`;
      screen += '\x1b[J';
      await writeOut(ctx.out, screen);
    }
  } finally {
    ctx.signals.off('SIGINT', onSignal);
    ctx.signals.off('SIGTERM', onSignal);
    for (const ac of readers.values()) ac.abort();
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new StatusError(1, errors.map(describeError).join('\n'));
}
