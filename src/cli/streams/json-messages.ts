// Docker's JSON-message progress streams (pull, import, load) rendered like jsonmessage.
// DisplayJSONMessagesStream: one line per status; on a terminal, progress lines per layer id
// are redrawn in place. An `error` in the stream fails the command with its message.
import type { Readable } from 'node:stream';
import { readJsonStream } from '../../client/index.ts';
import { humanSize } from '../format/human-size.ts';
import type { OutStream } from '../cli-context.ts';
import { writeOut } from '../write-out.ts';

export interface JsonMessage {
  id?: string;
  status?: string;
  stream?: string;
  from?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number; units?: string; hidecounts?: boolean };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

export class JsonMessageError extends Error {
  /** errorDetail.code (a failing RUN's exit code in a build), when the daemon sent one. */
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

function progressText(m: JsonMessage, width: number): string {
  const p = m.progressDetail;
  if (!p) return m.progress ?? '';
  const cur = p.current ?? 0;
  const total = p.total ?? 0;
  if (cur <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${cur} ${p.units}` : humanSize(cur).padStart(8);
  const pct = Math.min(50, Math.trunc(Math.trunc((cur / total) * 100) / 2));
  const bar = width > 110 ? `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] ` : '';
  if (p.hidecounts) return bar;
  if (p.units) return bar + (cur > total ? `${cur} ${p.units}` : `${cur}/${total} ${p.units}`);
  const numbers = cur > total ? humanSize(cur).padStart(8) : `${humanSize(cur).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

export async function displayJsonMessages(body: Readable, out: OutStream, onAux?: (aux: unknown) => void): Promise<void> {
  const terminal = out.isTTY === true;
  let ids = new Map<string, number>();
  for await (const m of readJsonStream<JsonMessage>(body)) {
    if (m.aux !== undefined) { onAux?.(m.aux); continue; }
    if (m.error !== undefined || m.errorDetail !== undefined) {
      throw new JsonMessageError(m.errorDetail?.message ?? m.error ?? 'unknown error', m.errorDetail?.code);
    }
    const hasProgress = m.progressDetail !== undefined || (m.progress ?? '') !== '';
    let diff = 0;
    let text = '';
    if (m.id && hasProgress) {
      let line = ids.get(m.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(m.id, line);
        if (terminal) text += '\n';
      }
      diff = ids.size - line;
      if (terminal) text += `\x1b[${diff}A`;
    } else {
      ids = new Map();
    }
    const progress = progressText(m, out.columns ?? 0);
    if (!terminal && hasProgress && progress !== '') continue;
    const endl = terminal && !m.stream && hasProgress ? '\r' : '';
    if (endl) text += '\x1b[2K\r';
    if (m.id) text += `${m.id}: `;
    if (m.from) text += `(from ${m.from}) `;
    if (hasProgress && terminal) text += `${m.status ?? ''} ${progress}${endl}`;
    else if (m.stream) text += m.stream;
    else text += `${m.status ?? ''}\n`;
    if (m.id && terminal && diff > 0) text += `\x1b[${diff}B`;
    await writeOut(out, text);
  }
}
