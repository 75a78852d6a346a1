// Attach: connects a client (the hijacked HTTP stream, framed by api/server) to conmon's
// attach socket. For a container that has not started yet the connection is made at start,
// between `runtime create` and `runtime start`, so no output is lost (docker run attaches
// before it starts). Detach keys (default ctrl-p,ctrl-q) end the session, not the container.
import { InvalidArgumentError } from '../lib/index.ts';
import type { AttachStream } from '../runtime/index.ts';
import { AttachHub } from './attach-hub.ts';
import { addListener, emitContainerEvent, type ContainerContext } from './context.ts';
import { StateConflictError } from './errors.ts';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
}

export interface AttachSession {
  tty: boolean;
  /** Output from the container; `end` is called once when the stream is over. */
  onOutput(data: (stream: AttachStream, chunk: Buffer) => void, end: () => void): void;
  writeStdin(chunk: Buffer): void;
  endStdin(): void;
  close(): void;
}

/** Parses "ctrl-p,ctrl-q" / "a,ctrl-\\" into bytes (docker/pkg/term ToBytes). */
export function parseDetachKeys(keys: string): Buffer {
  const out: number[] = [];
  for (const k of keys.split(',')) {
    const key = k.trim();
    if (key.length === 1) { out.push(key.charCodeAt(0)); continue; }
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (!m) throw new InvalidArgumentError(`Unknown character: '${key}'`);
    const ch = m[1]!;
    out.push(ch === '@' ? 0 : ch >= 'a' && ch <= 'z' ? ch.charCodeAt(0) - 96 : ch.charCodeAt(0) - 64);
  }
  return Buffer.from(out);
}

/** The container's hub, opened on first use (also after a daemon restart). */
export async function hubFor(ctx: ContainerContext, id: string): Promise<AttachHub> {
  const existing = ctx.hubs.get(id);
  if (existing) {
    const hub = await existing;
    if (!hub.closed) return hub;
  }
  const opening = AttachHub.open(ctx.conmon.attachSocket(id), () => { if (ctx.hubs.get(id) === opening) ctx.hubs.delete(id); });
  ctx.hubs.set(id, opening);
  opening.catch(() => { if (ctx.hubs.get(id) === opening) ctx.hubs.delete(id); });
  return opening;
}

export async function attachContainer(ctx: ContainerContext, ref: string, o: AttachOptions): Promise<AttachSession> {
  const c = ctx.store.get(ref);
  const id = c.config.id;
  const detach = parseDetachKeys(o.detachKeys || 'ctrl-p,ctrl-q');
  if (c.state.status === 'exited' || c.state.status === 'dead' || c.state.status === 'removing') {
    throw new StateConflictError('You cannot attach to a stopped container, start it first');
  }
  if (c.state.status === 'paused') throw new StateConflictError('You cannot attach to a paused container, unpause it first');
  const tty = c.config.config.Tty ?? false;
  let hub: AttachHub | null = null;
  let unsubscribe: (() => void) | null = null;
  let closed = false;
  let matched = 0;
  let onData: ((s: AttachStream, b: Buffer) => void) | null = null;
  let onEnd: (() => void) | null = null;
  const earlyStdin: Buffer[] = [];
  let stdinEnded = false;
  let offPending: (() => void) | null = null;
  let offRemove: (() => void) | null = null;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    offPending?.();
    offRemove?.();
    unsubscribe?.();
    onEnd?.();
    emitContainerEvent(ctx, c, 'detach');
  };
  const join = (h: AttachHub): void => {
    if (closed) return;
    hub = h;
    unsubscribe = h.subscribe({
      data: (s, b) => { if ((s === 'stdout' && o.stdout) || (s === 'stderr' && o.stderr)) onData?.(s, b); },
      end: finish,
    });
    for (const b of earlyStdin.splice(0)) h.write(b);
    if (stdinEnded) endInput();
  };
  const endInput = (): void => {
    // StdinOnce without a TTY: this client's EOF closes the container's stdin. Otherwise
    // stdin stays open (with a TTY, closing it would hang up the terminal) and, as moby's
    // container/stream/attach.go does, this session ends; a short grace lets the answer to
    // its last input arrive first.
    if (c.config.config.StdinOnce && !tty) hub?.endInput();
    else setTimeout(finish, 100).unref();
  };
  if (c.state.status === 'created') {
    // Joined at start, between `runtime create` and `runtime start`: no output is missed.
    offPending = addListener(ctx.pendingAttach, id, async () => { join(await hubFor(ctx, id)); });
    offRemove = addListener(ctx.removeListeners, id, finish);
  } else {
    join(await hubFor(ctx, id));
  }
  emitContainerEvent(ctx, c, 'attach');
  return {
    tty,
    onOutput(data, end) { onData = data; onEnd = end; if (closed) end(); },
    writeStdin(chunk) {
      if (!o.stdin || closed) return;
      // Look for the detach sequence across chunk boundaries.
      for (const byte of chunk) {
        matched = byte === detach[matched] ? matched + 1 : (byte === detach[0] ? 1 : 0);
        if (matched === detach.length) { finish(); return; }
      }
      if (hub) hub.write(chunk); else earlyStdin.push(chunk);
    },
    endStdin() {
      if (!o.stdin) return;
      stdinEnded = true;
      if (hub) endInput();
    },
    close: finish,
  };
}
