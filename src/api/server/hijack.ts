// Bridges an attach or exec session to a hijacked client stream: container output is
// framed with stdcopy headers unless the process has a TTY (then raw bytes), client bytes
// go to stdin, and whichever side ends first ends the other. A slow client is not buffered
// without bound: its socket's own back-pressure applies through conmon's socket buffer.
import type { Exchange } from './exchange.ts';
import { frame } from './stdcopy.ts';

export interface StreamSession {
  tty: boolean;
  onOutput(data: (stream: 'stdout' | 'stderr', chunk: Buffer) => void, end: () => void): void;
  writeStdin(chunk: Buffer): void;
  endStdin(): void;
  close(): void;
}

export function contentTypeFor(tty: boolean, version: string): string {
  // API ≥ 1.42 names the multiplexed type; older clients expect raw-stream for both.
  const [maj = 1, min = 0] = version.split('.').map(Number);
  const modern = maj > 1 || min >= 42;
  return tty || !modern ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
}

export function bridge(x: Exchange, session: StreamSession, withStdin: boolean): Promise<void> {
  const h = x.hijack(contentTypeFor(session.tty, x.version));
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => { if (!done) { done = true; session.close(); h.end(); resolve(); } };
    session.onOutput((s, chunk) => {
      h.write(session.tty ? chunk : frame(s === 'stdout' ? 1 : 2, chunk));
    }, finish);
    h.onInput((chunk) => { if (withStdin) session.writeStdin(chunk); }, () => { if (withStdin) session.endStdin(); });
    h.onClose(finish);
  });
}
