import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { FRAME_CLOSE, FRAME_DATA, FRAME_OPEN, FrameDecoder, encodeFrame, type SessionFrame } from '../api/types/index.ts';
import { BuildSessions, agentSocket } from './ssh-session.ts';

/** An in-memory session connection: what the daemon writes is decoded into `sent`. */
function fakeConn() {
  const dec = new FrameDecoder();
  const sent: SessionFrame[] = [];
  let input: ((b: Buffer) => void) | null = null;
  let onEnd: (() => void) | null = null;
  let ended = false;
  return {
    sent, get ended() { return ended; },
    conn: {
      write: (b: Buffer) => { sent.push(...dec.push(b)); },
      end: () => { ended = true; },
      onInput: (d: (b: Buffer) => void, e: () => void) => { input = d; onEnd = e; },
      onClose: () => undefined,
    },
    fromClient: (b: Buffer) => input!(b),
    hangUp: () => onEnd!(),
  };
}

test('an agent socket: each connection is a channel over the session, both ways', async () => {
  const sessions = new BuildSessions();
  const f = fakeConn();
  const closed = sessions.attach('s1', ['default'], f.conn);
  assert.throws(() => sessions.attach('s1', [], fakeConn().conn), /already open/);
  assert.throws(() => sessions.attach('bad id', [], fakeConn().conn), /invalid build session id/);
  const s = sessions.get('s1')!;
  assert.equal(s.agent('other'), null);
  const sock = await agentSocket(s.agent('default')!, { mode: 0o600, uid: 0, gid: 0 });
  const c = connect(sock.path);
  await new Promise((r) => c.once('connect', r));
  c.write('request');
  for (let i = 0; i < 100 && f.sent.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(f.sent.map((x) => [x.type, x.payload.toString()]), [[FRAME_OPEN, 'default'], [FRAME_DATA, 'request']]);
  const ch = f.sent[0]!.channel;
  const got = new Promise<string>((r) => c.once('data', (b) => r(b.toString())));
  f.fromClient(encodeFrame(FRAME_DATA, ch, 'answer'));
  assert.equal(await got, 'answer');
  // The agent side closes: the RUN's connection ends.
  const ended = new Promise((r) => c.once('close', r));
  f.fromClient(encodeFrame(FRAME_CLOSE, ch));
  await ended;
  await sock.close();
  assert.equal(existsSync(sock.path), false);
  // The client hangs up: the session is gone.
  f.hangUp();
  await closed;
  assert.equal(sessions.get('s1'), undefined);
  assert.equal(f.ended, true);
});
