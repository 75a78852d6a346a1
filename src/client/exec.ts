// Exec endpoints: create, start (detached, or hijacked for the streams), inspect, resize.
import type { ExecCreateRequest, ExecInspect } from '../api/types/index.ts';
import type { HijackedConnection } from './hijack.ts';
import type { Transport } from './transport.ts';

export interface ExecStartOptions {
  tty?: boolean;
  consoleSize?: [number, number] | null;
}

export interface ExecApi {
  create(containerId: string, body: ExecCreateRequest): Promise<{ Id: string }>;
  /** Starts without attaching (`docker exec -d`). */
  startDetached(execId: string, opts?: ExecStartOptions): Promise<void>;
  /** Starts and hijacks the connection for the process's streams. */
  attach(execId: string, opts?: ExecStartOptions): Promise<HijackedConnection>;
  inspect(execId: string): Promise<ExecInspect>;
  resize(execId: string, height: number, width: number): Promise<void>;
}

const enc = encodeURIComponent;

function startBody(detach: boolean, opts: ExecStartOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { Detach: detach, Tty: opts.tty === true };
  if (opts.consoleSize) body['ConsoleSize'] = opts.consoleSize;
  return body;
}

export class ExecClient implements ExecApi {
  readonly #t: Transport;

  constructor(t: Transport) {
    this.#t = t;
  }

  create(containerId: string, body: ExecCreateRequest): Promise<{ Id: string }> {
    return this.#t.json({ method: 'POST', path: `/containers/${enc(containerId)}/exec`, body });
  }

  startDetached(execId: string, opts: ExecStartOptions = {}): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/exec/${enc(execId)}/start`, body: startBody(true, opts) });
  }

  attach(execId: string, opts: ExecStartOptions = {}): Promise<HijackedConnection> {
    return this.#t.hijack({ path: `/exec/${enc(execId)}/start`, body: startBody(false, opts) });
  }

  inspect(execId: string): Promise<ExecInspect> {
    return this.#t.json({ method: 'GET', path: `/exec/${enc(execId)}/json` });
  }

  resize(execId: string, height: number, width: number): Promise<void> {
    return this.#t.discard({ method: 'POST', path: `/exec/${enc(execId)}/resize`, query: { h: height, w: width } });
  }
}
