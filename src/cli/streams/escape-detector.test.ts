import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EscapeDetector } from './escape-detector.ts';
import { streamHijacked } from './hijacked-io.ts';
import { fakeHijack } from '../testing/fake-client.ts';
import { Readable, Writable } from 'node:stream';
import { encodeFrame } from '../../client/index.ts';

const feed = (d: EscapeDetector, s: string): { data: string; detached: boolean } => {
  const r = d.feed(Buffer.from(s, 'latin1'));
  return { data: r.data.toString('latin1'), detached: r.detached };
};

test('detach keys: held back while they match, released when the match breaks', () => {
  const d = new EscapeDetector([0x10, 0x11]);
  assert.deepEqual(feed(d, 'ab'), { data: 'ab', detached: false });
  assert.deepEqual(feed(d, 'x\x10'), { data: 'x', detached: false });
  assert.deepEqual(feed(d, 'y'), { data: '\x10y', detached: false });
  assert.deepEqual(feed(d, '\x10\x10'), { data: '\x10', detached: false });
  assert.deepEqual(feed(d, '\x11tail'), { data: '', detached: true });
  assert.deepEqual(feed(new EscapeDetector([]), '\x10\x11'), { data: '\x10\x11', detached: false });
});

test('hijacked streams: TTY input detaches on the keys and restores the terminal', async () => {
  let raw = 0;
  // The output stays open: detaching must end the session by itself.
  const h = fakeHijack([], { keepOpen: true });
  const conn = h.conn;
  const stdin = Object.assign(Readable.from([Buffer.from('ls\r'), Buffer.from([0x10, 0x11])]), { isTTY: true });
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const end = await streamHijacked({
    conn, tty: true, stdin, out: sink, err: sink, detachKeys: [0x10, 0x11],
    makeRaw: () => { raw++; return () => { raw--; }; },
  });
  assert.equal(end, 'detached');
  assert.equal(raw, 0);
  assert.equal(h.written(), 'ls\r');
});

test('hijacked streams: a slow stdout holds the connection without piling up listeners', async () => {
  const frames = Array.from({ length: 50 }, (_, i) => encodeFrame('stdout', `line ${i}\n`));
  const h = fakeHijack([Buffer.concat(frames)]);
  let got = '';
  const slow = new Writable({
    highWaterMark: 8,
    write(c: Buffer, _e, cb) { got += c.toString(); setTimeout(cb, 1); },
  });
  const end = await streamHijacked({ conn: h.conn, tty: false, stdin: null, out: slow, err: slow, detachKeys: [] });
  await new Promise((r) => slow.end(r));
  assert.equal(end, 'done');
  assert.equal(got.split('\n').length, 51);
  assert.ok(slow.listenerCount('drain') <= 1);
});
