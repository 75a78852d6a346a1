// /containers/* routes (Docker Engine API "Container" section). The backend interface is
// declared here, by its consumer; daemon/wire.ts passes the container service.
import { InvalidArgumentError, NotModifiedError } from '../../../lib/index.ts';
import type { ContainerCreateRequest, ContainerInspect, ContainerSummary, ExecCreateRequest, TopResponse } from '../../types/index.ts';
import type { Exchange } from '../exchange.ts';
import type { Route } from '../router.ts';
import { bridge, contentTypeFor, type StreamSession } from '../hijack.ts';

export interface ContainerBackend {
  create(req: ContainerCreateRequest, name: string | undefined): Promise<{ Id: string; Warnings: string[] }>;
  start(ref: string): Promise<void>;
  stop(ref: string, o: { signal?: string; timeout?: number }): Promise<boolean>;
  kill(ref: string, signal: string | undefined): Promise<void>;
  restart(ref: string, o: { signal?: string; timeout?: number }): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  remove(ref: string, o: { force: boolean; volumes: boolean }): Promise<void>;
  wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed', signal: AbortSignal): Promise<number>;
  inspect(ref: string): ContainerInspect;
  list(o: { all: boolean; limit: number; size: boolean; filters: Record<string, string[]> }): Promise<ContainerSummary[]>;
  top(ref: string, psArgs: string): Promise<TopResponse>;
  attach(ref: string, o: { stdin: boolean; stdout: boolean; stderr: boolean; detachKeys?: string }): Promise<StreamSession>;
  logs(ref: string, o: LogQuery, signal: AbortSignal): { tty: boolean; chunks: AsyncIterable<Buffer> };
  resize(ref: string, h: number, w: number): Promise<void>;
  execCreate(ref: string, req: ExecCreateRequest): string;
}

export interface LogQuery {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail: number | 'all';
  since?: number | string;
  until?: number | string;
  timestamps: boolean;
  details?: boolean;
}

export interface ParseFilters {
  (raw: string | undefined): Record<string, string[]>;
}

function stopOptions(x: Exchange): { signal?: string; timeout?: number } {
  const o: { signal?: string; timeout?: number } = {};
  const sig = x.query.get('signal');
  if (sig) o.signal = sig;
  const t = x.query.get('t') ?? x.query.get('timeout');
  if (t !== null && t !== '') {
    const n = Number(t);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for timeout: ${t}`);
    o.timeout = n;
  }
  return o;
}

/**
 * Docker's since/until: unix seconds as the CLI sends them ("SECONDS.NANOS", kept as a
 * string so no nanosecond is lost) or an RFC 3339 time.
 */
function timeParam(v: string | null): number | string | undefined {
  if (v === null || v === '' || v === '0') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`invalid value for time: ${v}`);
  return t / 1000;
}

export function containerRoutes(b: ContainerBackend, parseFilters: ParseFilters): Route[] {
  return [
    { method: 'POST', path: '/containers/create', handler: async (x) => {
      const body = await x.json<ContainerCreateRequest>();
      const name = x.query.get('name') ?? undefined;
      x.sendJson(201, await b.create(body, name));
    } },
    { method: 'GET', path: '/containers/json', handler: async (x) => {
      x.sendJson(200, await b.list({ all: x.bool('all'), limit: x.int('limit', -1), size: x.bool('size'), filters: parseFilters(x.query.get('filters') ?? undefined) }));
    } },
    { method: 'GET', path: '/containers/{id}/json', handler: (x) => { x.sendJson(200, b.inspect(x.params.id!)); } },
    { method: 'POST', path: '/containers/{id}/start', handler: async (x) => {
      if (x.query.get('checkpoint')) throw new InvalidArgumentError('checkpoint is not supported');
      await b.start(x.params.id!);
      x.sendEmpty(204);
    } },
    { method: 'POST', path: '/containers/{id}/stop', handler: async (x) => {
      if (!(await b.stop(x.params.id!, stopOptions(x)))) throw new NotModifiedError('container already stopped');
      x.sendEmpty(204);
    } },
    { method: 'POST', path: '/containers/{id}/restart', handler: async (x) => { await b.restart(x.params.id!, stopOptions(x)); x.sendEmpty(204); } },
    { method: 'POST', path: '/containers/{id}/kill', handler: async (x) => {
      await b.kill(x.params.id!, x.query.get('signal') ?? undefined);
      x.sendEmpty(204);
    } },
    { method: 'POST', path: '/containers/{id}/pause', handler: async (x) => { await b.pause(x.params.id!); x.sendEmpty(204); } },
    { method: 'POST', path: '/containers/{id}/unpause', handler: async (x) => { await b.unpause(x.params.id!); x.sendEmpty(204); } },
    { method: 'POST', path: '/containers/{id}/rename', handler: async (x) => {
      await b.rename(x.params.id!, x.query.get('name') ?? '');
      x.sendEmpty(204);
    } },
    { method: 'DELETE', path: '/containers/{id}', handler: async (x) => {
      if (x.bool('link')) throw new InvalidArgumentError('legacy links are not supported');
      await b.remove(x.params.id!, { force: x.bool('force'), volumes: x.bool('v') });
      x.sendEmpty(204);
    } },
    { method: 'POST', path: '/containers/{id}/wait', handler: async (x) => {
      const raw = x.query.get('condition') ?? '';
      if (raw && !['not-running', 'next-exit', 'removed'].includes(raw)) throw new InvalidArgumentError(`invalid condition: "${raw}"`);
      const waiting = b.wait(x.params.id!, (raw || 'not-running') as 'not-running', x.signal);
      // Headers go out at once: the docker CLI starts the container only after they arrive.
      const out = x.stream('application/json');
      try {
        const code = await waiting;
        out.write(JSON.stringify({ StatusCode: code, Error: null }) + '\n');
      } catch (err) {
        if (!x.signal.aborted) out.write(JSON.stringify({ StatusCode: -1, Error: { Message: err instanceof Error ? err.message : String(err) } }) + '\n');
      }
      out.end();
    } },
    { method: 'GET', path: '/containers/{id}/top', handler: async (x) => { x.sendJson(200, await b.top(x.params.id!, x.query.get('ps_args') ?? '')); } },
    { method: 'POST', path: '/containers/{id}/resize', handler: async (x) => {
      const h = x.int('h', 0); const w = x.int('w', 0);
      if (h < 0 || w < 0) throw new InvalidArgumentError('invalid resize dimensions');
      await b.resize(x.params.id!, h, w);
      x.sendEmpty(200);
    } },
    { method: 'GET', path: '/containers/{id}/logs', handler: async (x) => {
      const stdout = x.bool('stdout'); const stderr = x.bool('stderr');
      if (!stdout && !stderr) throw new InvalidArgumentError('You must choose at least one stream');
      const tailRaw = x.query.get('tail') ?? 'all';
      const tail = tailRaw === 'all' || tailRaw === '' ? 'all' as const : Number(tailRaw);
      if (tail !== 'all' && (!Number.isInteger(tail) || tail < 0)) throw new InvalidArgumentError(`invalid value for tail: ${tailRaw}`);
      const q: LogQuery = { stdout, stderr, follow: x.bool('follow'), tail, timestamps: x.bool('timestamps') };
      if (x.bool('details')) q.details = true;
      const since = timeParam(x.query.get('since')); if (since !== undefined) q.since = since;
      const until = timeParam(x.query.get('until')); if (until !== undefined) q.until = until;
      const { tty, chunks } = b.logs(x.params.id!, q, x.signal);
      const out = x.stream(contentTypeFor(tty, x.version));
      try {
        for await (const chunk of chunks) {
          if (!out.write(chunk)) await out.drained();
          if (x.signal.aborted) break;
        }
      } finally {
        out.end();
      }
    } },
    { method: 'POST', path: '/containers/{id}/attach', handler: async (x) => {
      const withStdin = x.bool('stdin');
      const session = await b.attach(x.params.id!, {
        stdin: withStdin, stdout: x.bool('stdout'), stderr: x.bool('stderr'),
        ...(x.query.get('detachKeys') ? { detachKeys: x.query.get('detachKeys')! } : {}),
      });
      await bridge(x, session, withStdin);
    } },
    { method: 'POST', path: '/containers/{id}/exec', handler: async (x) => {
      const body = await x.json<ExecCreateRequest>();
      x.sendJson(201, { Id: b.execCreate(x.params.id!, body) });
    } },
  ];
}
