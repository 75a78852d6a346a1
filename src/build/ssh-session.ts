// SSH agent forwarding for RUN --mount=type=ssh (BuildKit's feature, on berth's own build
// session since the classic /build API has none; the frames are api/types/build-session.ts):
// `berth build --ssh id[=socket]` holds a session open while its build runs; each RUN with an
// ssh mount gets a unix socket of its own (bind-mounted at the mount's target), and every
// connection a process makes to it becomes a channel over the session to the client's agent.
// The agent's keys never reach the daemon's disk, the image, or the cache key.
import { mkdtemp, chmod, chown, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { ConflictError, InvalidArgumentError } from '../lib/index.ts';
import { FRAME_CLOSE, FRAME_DATA, FRAME_OPEN, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame } from '../api/types/index.ts';

/** The hijacked connection of a session (the API layer's Hijacked). */
export interface SessionConn {
  write(chunk: Buffer): void;
  end(): void;
  onInput(data: (chunk: Buffer) => void, end: () => void): void;
  onClose(fn: () => void): void;
}

/** Where an ssh mount's connections go: a new channel to the client's agent. */
export interface SshAgentSource {
  connect(): Duplex;
}

export class BuildSession {
  readonly ssh: ReadonlySet<string>;
  #next = 1;
  readonly #channels = new Map<number, Duplex>();
  #closed = false;
  #onClosed: (() => void)[] = [];

  constructor(readonly id: string, ssh: readonly string[], private readonly conn: SessionConn) {
    this.ssh = new Set(ssh);
    const dec = new FrameDecoder();
    conn.onInput((chunk) => {
      let frames;
      try { frames = dec.push(chunk); } catch { this.close(); return; }
      for (const f of frames) {
        const ch = this.#channels.get(f.channel);
        if (!ch) continue;
        if (f.type === FRAME_DATA) ch.push(f.payload);
        else if (f.type === FRAME_CLOSE) { this.#channels.delete(f.channel); ch.push(null); ch.destroy(); }
      }
    }, () => this.close());
    conn.onClose(() => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  onClosed(fn: () => void): void {
    if (this.#closed) fn(); else this.#onClosed.push(fn);
  }

  /** The agent the client forwards as `id`, or null when it forwards none by that id. */
  agent(id: string): SshAgentSource | null {
    if (!this.ssh.has(id)) return null;
    return { connect: () => this.#open(id) };
  }

  #open(id: string): Duplex {
    const channel = this.#next++;
    const conn = this.conn;
    let remoteClosed = false;
    const d = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, cb) => {
        if (this.#closed) { cb(new Error('the build session is closed')); return; }
        for (let off = 0; off < chunk.length; off += MAX_FRAME_PAYLOAD) conn.write(encodeFrame(FRAME_DATA, channel, chunk.subarray(off, off + MAX_FRAME_PAYLOAD)));
        cb();
      },
      final: (cb) => { if (!this.#closed && !remoteClosed) conn.write(encodeFrame(FRAME_CLOSE, channel)); remoteClosed = true; cb(); },
      destroy: (err, cb) => {
        if (this.#channels.delete(channel) && !this.#closed && !remoteClosed) conn.write(encodeFrame(FRAME_CLOSE, channel));
        remoteClosed = true;
        cb(err);
      },
    });
    if (this.#closed) { d.destroy(new Error('the build session is closed')); return d; }
    this.#channels.set(channel, d);
    d.on('end', () => { remoteClosed = true; });
    conn.write(encodeFrame(FRAME_OPEN, channel, id));
    return d;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const ch of this.#channels.values()) ch.destroy();
    this.#channels.clear();
    this.conn.end();
    for (const fn of this.#onClosed.splice(0)) fn();
  }
}

/** Open sessions by id. */
export class BuildSessions {
  readonly #byId = new Map<string, BuildSession>();

  /** Serves a session until its connection closes. */
  attach(id: string, ssh: readonly string[], conn: SessionConn): Promise<void> {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id)) throw new InvalidArgumentError(`invalid build session id ${JSON.stringify(id)}`);
    if (this.#byId.has(id)) throw new ConflictError(`build session ${id} is already open`);
    const s = new BuildSession(id, ssh, conn);
    this.#byId.set(id, s);
    return new Promise((resolve) => s.onClosed(() => { if (this.#byId.get(id) === s) this.#byId.delete(id); resolve(); }));
  }

  get(id: string): BuildSession | undefined {
    const s = this.#byId.get(id);
    return s && !s.closed ? s : undefined;
  }
}

/**
 * A unix socket for one RUN's ssh mount: each connection to it is piped to a new agent
 * channel. The socket lives in a short private directory (a unix socket path is limited to
 * 107 bytes, too short for the data root's paths); close() removes it.
 */
export async function agentSocket(src: SshAgentSource, o: { mode: number; uid: number; gid: number }): Promise<{ path: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ssh-'));
  const path = join(dir, 'agent.sock');
  const open = new Set<Socket>();
  const server = createServer((c) => {
    open.add(c);
    const up = src.connect();
    const kill = (): void => { c.destroy(); up.destroy(); open.delete(c); };
    c.on('error', kill); up.on('error', kill);
    c.on('close', kill); up.on('close', kill);
    c.pipe(up);
    up.pipe(c);
  });
  try {
    await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(path, () => { server.off('error', rej); res(); }); });
    await chmod(path, o.mode);
    await chown(path, o.uid, o.gid);
  } catch (err) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    path,
    close: async () => {
      for (const c of open) c.destroy();
      await new Promise<void>((res) => server.close(() => res()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
