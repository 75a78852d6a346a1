import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindOf } from '../lib/index.ts';
import { readLogs } from './read-logs.ts';
import { formatK8sLine } from './format-k8s-line.ts';
import type { LogReadOptions } from './log-read-options.ts';

const T1 = '2026-11-27T17:14:43.345467782+00:00';
const T2 = '2026-11-27T17:14:44.000000000+00:00';
const T3 = '2026-11-27T17:14:45.500000000+00:00';
const SEC = Date.UTC(2026, 10, 27, 17, 14, 43) / 1000;
const O = (t: string, time = T1): string => formatK8sLine(time, 'stdout', false, t).toString();
const E = (t: string, time = T1): string => formatK8sLine(time, 'stderr', false, t).toString();
const P = (t: string, time = T1): string => formatK8sLine(time, 'stdout', true, t).toString();

const RAW: LogReadOptions = { stdout: true, stderr: true, follow: false, tail: 'all', timestamps: false, multiplex: false };
const TIMEOUT = { timeout: 10_000 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Followers the tests start, ended after each test whatever happened: a test that fails
 * while one waits must not leave its fs.watch behind, which keeps this process (and the
 * test run) from ever exiting. The abort wakes a pending wait; return() ends a follower
 * suspended at a yield.
 */
const followers: { stop: AbortController; it: AsyncIterator<Buffer> }[] = [];
function follow(path: string, options: LogReadOptions): AsyncIterator<Buffer> {
  const stop = new AbortController();
  const it = readLogs(path, options, stop.signal)[Symbol.asyncIterator]();
  followers.push({ stop, it });
  return it;
}
afterEach(async () => {
  for (const f of followers.splice(0)) {
    f.stop.abort();
    await f.it.return?.(undefined);
  }
});

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of iterable) parts.push(chunk);
  return Buffer.concat(parts);
}

function demux(buf: Buffer): string[] {
  const frames: string[] = [];
  for (let at = 0; at < buf.length;) {
    const len = buf.readUInt32BE(at + 4);
    frames.push(`${buf[at] === 1 ? 'out' : 'err'}:${buf.toString('utf8', at + 8, at + 8 + len)}`);
    at += 8 + len;
  }
  return frames;
}

/** Open fds of this process that point at `path`: all of them must be gone after a read. */
async function fdsOn(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === path) n++;
  }
  return n;
}

/** Pulls from the iterator until the text collected so far equals `want`. */
async function readUntil(it: AsyncIterator<Buffer>, want: string): Promise<void> {
  let got = '';
  while (got.length < want.length) {
    const r = await it.next();
    assert.equal(r.done, false, `iteration ended with ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    got += r.value.toString();
  }
  assert.equal(got, want);
}

const LOG = O('out-line') + E('err-line', T2) + P('stt', T3) + O('uv', T3);

const cases: { name: string; log?: string; options: Partial<LogReadOptions>; running?: boolean; want: string | string[] }[] = [
  { name: 'missing file', options: {}, want: '' },
  { name: 'empty file', log: '', options: {}, want: '' },
  { name: 'raw, both streams', log: LOG, options: {}, want: 'out-line\nerr-line\nsttuv\n' },
  { name: 'multiplexed', log: LOG, options: { multiplex: true }, want: ['out:out-line\n', 'err:err-line\n', 'out:stt', 'out:uv\n'] },
  { name: 'stdout only', log: LOG, options: { multiplex: true, stderr: false }, want: ['out:out-line\n', 'out:stt', 'out:uv\n'] },
  { name: 'stderr only', log: LOG, options: { multiplex: true, stdout: false }, want: ['err:err-line\n'] },
  { name: 'tail 1 takes the whole last line', log: LOG, options: { tail: 1 }, want: 'sttuv\n' },
  { name: 'tail 2 of stdout', log: LOG, options: { tail: 2, stderr: false }, want: 'out-line\nsttuv\n' },
  { name: 'tail 0', log: LOG, options: { tail: 0 }, want: '' },
  { name: 'since (number)', log: LOG, options: { since: SEC + 1 }, want: 'err-line\nsttuv\n' },
  { name: 'since (exact string, inclusive)', log: LOG, options: { since: `${SEC}.345467782` }, want: 'out-line\nerr-line\nsttuv\n' },
  { name: 'since (exact string, 1 ns later)', log: LOG, options: { since: `${SEC}.345467783` }, want: 'err-line\nsttuv\n' },
  { name: 'until', log: LOG, options: { until: SEC + 1 }, want: 'out-line\nerr-line\n' },
  { name: 'since + until', log: LOG, options: { since: SEC + 0.5, until: SEC + 1.9 }, want: 'err-line\n' },
  { name: 'tail then since (moby order)', log: LOG, options: { tail: 2, since: SEC + 2 }, want: 'sttuv\n' },
  {
    name: 'timestamps',
    log: LOG,
    options: { timestamps: true, stderr: false },
    want: '2026-11-27T17:14:43.345467782Z out-line\n2026-11-27T17:14:45.500000000Z stt2026-11-27T17:14:45.500000000Z uv\n',
  },
  { name: 'truncated last line, container running: held back', log: O('a') + O('bcd').slice(0, -2), options: {}, running: true, want: 'a\n' },
  { name: 'truncated last line, container stopped: as written', log: O('a') + O('bcd').slice(0, -2), options: {}, running: false, want: 'a\nbc' },
  { name: 'truncated last line, stopped, tail 1', log: O('a') + O('bcd').slice(0, -2), options: { tail: 1 }, running: false, want: 'bc' },
  { name: 'truncated last line, stopped, tail 0', log: O('a') + O('bcd').slice(0, -2), options: { tail: 0 }, running: false, want: '' },
  { name: 'trailing P chunk is shown', log: O('a') + P('b'), options: {}, want: 'a\nb' },
  { name: 'follow on a stopped container ends', log: LOG, options: { follow: true }, running: false, want: 'out-line\nerr-line\nsttuv\n' },
  { name: 'follow with until in the past ends', log: LOG, options: { follow: true, until: SEC + 1 }, want: 'out-line\nerr-line\n' },
];

for (const c of cases) {
  test(`readLogs: ${c.name}`, TIMEOUT, () => withDir(async (dir) => {
    const path = join(dir, 'ctr.log');
    if (c.log !== undefined) await writeFile(path, c.log);
    const options = { ...RAW, ...c.options, ...(c.running === undefined ? {} : { isRunning: () => c.running === true }) };
    const out = await collect(readLogs(path, options));
    assert.deepEqual(Array.isArray(c.want) ? demux(out) : out.toString(), c.want);
    assert.equal(await fdsOn(path), 0);
  }));
}

test('readLogs validates before opening anything', () => {
  assert.throws(() => readLogs('/nonexistent/ctr.log', { ...RAW, stdout: false, stderr: false }), (err: unknown) => kindOf(err) === 'invalid-argument');
});

test('readLogs: a large file comes back whole, in batches of at most 64 KiB', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  const lines: string[] = [];
  const want: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const text = `line ${i} ${'z'.repeat(i % 97)}`;
    lines.push(i % 3 === 0 ? E(text) : O(text));
    want.push(`${text}\n`);
  }
  await writeFile(path, lines.join(''));
  const sizes: number[] = [];
  const parts: Buffer[] = [];
  for await (const chunk of readLogs(path, RAW)) {
    sizes.push(chunk.length);
    parts.push(chunk);
  }
  assert.equal(Buffer.concat(parts).toString(), want.join(''));
  assert.ok(sizes.length > 10 && sizes.every((n) => n <= 64 * 1024), `batch sizes ${sizes.slice(0, 5).join(',')}...`);
}));

test('follow: appended lines arrive; a torn record waits for its end; stops when not running', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('first'));
  let running = true;
  const it = follow(path, { ...RAW, follow: true, multiplex: true, pollIntervalMs: 20, isRunning: () => running });
  const frames = async (want: string[]): Promise<void> => {
    let got: string[] = [];
    while (got.length < want.length) {
      const r = await it.next();
      assert.equal(r.done, false);
      got = got.concat(demux(r.value));
    }
    assert.deepEqual(got, want);
  };
  await frames(['out:first\n']);
  await appendFile(path, O('second') + E('third'));
  await frames(['out:second\n', 'err:third\n']);
  const fourth = O('fourth');
  await appendFile(path, fourth.slice(0, 45));
  const pending = it.next();
  await new Promise((resolve) => setTimeout(resolve, 100)); // several polls: nothing may come
  await appendFile(path, fourth.slice(45) + P('fif'));
  const r = await pending;
  const got = demux(r.done === true ? Buffer.alloc(0) : r.value);
  if (got.length === 1) got.push(...demux((await it.next()).value ?? Buffer.alloc(0)));
  assert.deepEqual(got, ['out:fourth\n', 'out:fif']);
  // written just before the container stopped: must still come out
  await appendFile(path, E('last'));
  running = false;
  const rest: string[] = [];
  for (let n = await it.next(); n.done !== true; n = await it.next()) rest.push(...demux(n.value));
  assert.deepEqual(rest, ['err:last\n']);
  assert.equal(await fdsOn(path), 0);
}));

test('follow: abort ends a waiting follower and closes the file', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('a'));
  const controller = new AbortController();
  // a long poll: only the abort can end the wait
  const it = readLogs(path, { ...RAW, follow: true, pollIntervalMs: 60_000 }, controller.signal)[Symbol.asyncIterator]();
  await readUntil(it, 'a\n');
  const pending = it.next();
  setTimeout(() => controller.abort(), 20);
  assert.equal((await pending).done, true);
  assert.equal(await fdsOn(path), 0);
}));

test('follow: breaking out of for-await closes the file', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('a'));
  for await (const chunk of readLogs(path, { ...RAW, follow: true, pollIntervalMs: 60_000 })) {
    assert.equal(chunk.toString(), 'a\n');
    break;
  }
  assert.equal(await fdsOn(path), 0);
}));

test('follow: already aborted yields nothing', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('a'));
  assert.equal((await collect(readLogs(path, { ...RAW, follow: true }, AbortSignal.abort()))).length, 0);
}));

test('follow: tail 0 shows only new lines', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('old1') + O('old2'));
  let running = true;
  // What the file holds when the reader measures it is old, even if appended after the call:
  // append only once the reader is in its follow phase. It asks isRunning once before it
  // opens the file, then once per follow round, so the second call says it is there.
  let calls = 0;
  let following!: () => void;
  const inFollow = new Promise<void>((resolve) => { following = resolve; });
  const it = follow(path, { ...RAW, follow: true, tail: 0, pollIntervalMs: 20, isRunning: () => { if (++calls === 2) following(); return running; } });
  const first = it.next();
  await inFollow;
  await appendFile(path, O('new'));
  const r = await first;
  assert.equal(r.done === true ? '' : r.value.toString(), 'new\n');
  running = false;
  assert.equal((await it.next()).done, true);
}));

test('follow: a file created after the start is read from its beginning', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  let running = true;
  const it = follow(path, { ...RAW, follow: true, pollIntervalMs: 20, isRunning: () => running });
  const first = it.next();
  await writeFile(path, O('hello'));
  await readUntilFrom(first, it, 'hello\n');
  running = false;
  assert.equal((await it.next()).done, true);
}));

test('follow: continues in the new file after conmon rotates it', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('before'));
  let running = true;
  const it = follow(path, { ...RAW, follow: true, pollIntervalMs: 20, isRunning: () => running });
  await readUntil(it, 'before\n');
  // conmon: the old file is renamed away, a new one takes the path
  await appendFile(path, O('late-in-old'));
  await rename(path, `${path}.1`);
  await writeFile(path, O('after'));
  await readUntil(it, 'late-in-old\nafter\n');
  await appendFile(path, O('more'));
  await readUntil(it, 'more\n');
  running = false;
  assert.equal((await it.next()).done, true);
  assert.equal(await fdsOn(path), 0);
  assert.equal(await fdsOn(`${path}.1`), 0);
}));

test('follow: a file truncated in place is read again from the start', TIMEOUT, () => withDir(async (dir) => {
  const path = join(dir, 'ctr.log');
  await writeFile(path, O('long-line-before-truncation'));
  let running = true;
  const it = follow(path, { ...RAW, follow: true, pollIntervalMs: 20, isRunning: () => running });
  await readUntil(it, 'long-line-before-truncation\n');
  await writeFile(path, O('x'));
  await readUntil(it, 'x\n');
  running = false;
  assert.equal((await it.next()).done, true);
}));

async function readUntilFrom(first: Promise<IteratorResult<Buffer>>, it: AsyncIterator<Buffer>, want: string): Promise<void> {
  const r = await first;
  assert.equal(r.done, false);
  const got = r.value.toString();
  if (got !== want) await readUntil(it, want.slice(got.length));
  else assert.equal(got, want);
}
