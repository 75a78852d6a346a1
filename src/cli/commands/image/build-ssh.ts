// berth build --ssh default|<id>[=<socket>]: the ssh agents a build may use through RUN
// --mount=type=ssh (buildx's flag). The CLI holds a build session open with berthd
// (api/types/build-session.ts) and connects each channel berthd opens to the agent's socket.
import { lstat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FRAME_CLOSE, FRAME_DATA, FRAME_OPEN, FrameDecoder, MAX_FRAME_PAYLOAD, encodeFrame } from '../../../api/types/index.ts';
import type { HijackedConnection } from '../../../client/index.ts';
import { StatusError } from '../../status-error.ts';

export interface SshSpec { id: string; socket: string }

/** Parses --ssh values; an id without a path uses $SSH_AUTH_SOCK (as buildx). */
export function parseSshSpecs(list: readonly string[], env: Readonly<Record<string, string | undefined>>): SshSpec[] {
  const out: SshSpec[] = [];
  for (const spec of list) {
    const eq = spec.indexOf('=');
    const id = eq < 0 ? spec : spec.slice(0, eq);
    if (id === '' || !/^[A-Za-z0-9_.-]+$/.test(id)) throw new StatusError(125, `invalid ssh spec ${JSON.stringify(spec)}: expected default|<id>[=<socket>]`);
    const paths = eq < 0 ? [] : spec.slice(eq + 1).split(',').filter((p) => p !== '');
    if (paths.length > 1) throw new StatusError(125, `invalid ssh spec ${JSON.stringify(spec)}: berth forwards one agent socket per id`);
    const socket = paths[0] ?? env.SSH_AUTH_SOCK ?? '';
    if (socket === '') throw new StatusError(125, `invalid empty ssh agent socket for ${JSON.stringify(id)}: make sure SSH_AUTH_SOCK is set`);
    if (out.some((s) => s.id === id)) throw new StatusError(125, `ssh id ${id} given twice`);
    out.push({ id, socket });
  }
  return out;
}

/** Checks that every spec names an agent socket (key files are not supported). */
export async function checkSshSockets(specs: readonly SshSpec[]): Promise<void> {
  for (const s of specs) {
    const st = await lstat(s.socket).catch((err: Error) => { throw new StatusError(125, `ssh ${s.id}: ${err.message}`); });
    if (!st.isSocket()) throw new StatusError(125, `ssh ${s.id}: ${s.socket} is not an ssh agent socket (berth forwards agents only; load a key with ssh-add into a running ssh-agent)`);
  }
}

/** Serves berthd's agent channels over the hijacked session until close(). */
export function serveSshSession(conn: HijackedConnection, specs: readonly SshSpec[]): { close(): void } {
  const byId = new Map(specs.map((s) => [s.id, s.socket]));
  const channels = new Map<number, Socket>();
  const dec = new FrameDecoder();
  const send = (type: number, ch: number, payload?: Buffer | string): void => { if (!conn.socket.destroyed) conn.socket.write(encodeFrame(type, ch, payload)); };
  conn.socket.on('data', (chunk: Buffer) => {
    let frames;
    try { frames = dec.push(chunk); } catch { conn.close(); return; }
    for (const f of frames) {
      if (f.type === FRAME_OPEN) {
        const path = byId.get(f.payload.toString());
        if (path === undefined) { send(FRAME_CLOSE, f.channel, 'no such ssh id'); continue; }
        const s = connect(path);
        channels.set(f.channel, s);
        let closed = false;
        const done = (msg = ''): void => { if (closed) return; closed = true; channels.delete(f.channel); send(FRAME_CLOSE, f.channel, msg); s.destroy(); };
        s.on('data', (b: Buffer) => { for (let o = 0; o < b.length; o += MAX_FRAME_PAYLOAD) send(FRAME_DATA, f.channel, b.subarray(o, o + MAX_FRAME_PAYLOAD)); });
        s.on('end', () => done());
        s.on('close', () => done());
        s.on('error', (err) => done(err.message));
      } else if (f.type === FRAME_DATA) {
        channels.get(f.channel)?.write(f.payload);
      } else if (f.type === FRAME_CLOSE) {
        const s = channels.get(f.channel);
        channels.delete(f.channel);
        s?.end();
      }
    }
  });
  conn.socket.on('error', () => undefined);
  conn.socket.resume(); // the hijacked socket comes paused
  return {
    close: () => {
      for (const s of channels.values()) s.destroy();
      channels.clear();
      conn.close();
    },
  };
}

export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}
