import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTailStart, type ReadAt } from './find-tail-start.ts';
import { formatK8sLine } from './format-k8s-line.ts';
import { parseK8sLine } from './parse-k8s-line.ts';

const T = '2026-11-27T17:14:43.345467782+00:00';

/** An in-memory file that answers reads in small pieces, to exercise short reads too. */
function memoryFile(buf: Buffer, maxRead = 7): ReadAt {
  return {
    read(target, offset, length, position) {
      const n = Math.max(0, Math.min(length, maxRead, buf.length - position));
      buf.copy(target, offset, position, position + n);
      return Promise.resolve({ bytesRead: n });
    },
  };
}

/** The reference answer: parse every record, count from the end. */
function naiveTailStart(buf: Buffer, lines: number, streams: number, tornIsFinal: boolean): number {
  const records: { start: number; end: number }[] = [];
  let at = 0;
  while (at < buf.length) {
    const lf = buf.indexOf(0x0a, at);
    records.push({ start: at, end: lf < 0 ? buf.length : lf + 1 });
    at = lf < 0 ? buf.length : lf + 1;
  }
  const last = records[records.length - 1];
  const torn = last !== undefined && buf[last.end - 1] !== 0x0a;
  if (lines === 0) return tornIsFinal || !torn ? buf.length : (last?.start ?? 0);
  let count = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r === undefined) continue;
    const isTorn = torn && i === records.length - 1;
    if (isTorn && !tornIsFinal) continue;
    const rec = parseK8sLine(buf.subarray(r.start, r.end));
    if (rec === undefined || (((rec.stream === 'stdout' ? 1 : 2) & streams) === 0)) continue;
    if (rec.partial && !isTorn) continue;
    if (++count > lines) return r.end;
  }
  return 0;
}

const line = (stream: 'stdout' | 'stderr', partial: boolean, text: string): string => formatK8sLine(T, stream, partial, text).toString();
const O = (t: string): string => line('stdout', false, t);
const E = (t: string): string => line('stderr', false, t);
const P = (t: string): string => line('stdout', true, t);

const cases: { name: string; log: string; lines: number; streams?: number; tornIsFinal?: boolean; wantFrom: string }[] = [
  { name: 'last 2 of 3', log: O('a') + O('b') + O('c'), lines: 2, wantFrom: O('b') },
  { name: 'more than there are', log: O('a') + O('b'), lines: 5, wantFrom: O('a') },
  { name: 'exactly all', log: O('a') + O('b'), lines: 2, wantFrom: O('a') },
  { name: 'P chunks belong to their line', log: O('a') + P('b1') + P('b2') + O('b3') + O('c'), lines: 2, wantFrom: P('b1') },
  { name: 'trailing P chunks come along, uncounted', log: O('a') + O('b') + P('c1'), lines: 1, wantFrom: O('b') },
  { name: 'stdout only skips stderr lines when counting', log: O('a') + E('x') + O('b') + E('y') + E('z'), lines: 2, streams: 1, wantFrom: O('a') },
  { name: 'stderr only', log: E('x') + O('a') + E('y') + O('b'), lines: 1, streams: 2, wantFrom: O('a') },
  { name: 'malformed lines are not counted', log: O('a') + 'junk\n' + O('b'), lines: 1, wantFrom: 'junk\n' },
  { name: 'torn last record, writer alive: not counted', log: O('a') + O('b') + O('c').slice(0, -1), lines: 1, wantFrom: O('b') },
  { name: 'torn last record, writer gone: counted', log: O('a') + O('b') + O('c').slice(0, -1), lines: 1, tornIsFinal: true, wantFrom: O('c').slice(0, -1) },
  { name: 'tail 0', log: O('a') + O('b'), lines: 0, wantFrom: '' },
  { name: 'tail 0 with a torn record still being written', log: O('a') + O('b').slice(0, 20), lines: 0, wantFrom: O('b').slice(0, 20) },
  { name: 'tail 0 with a torn record, writer gone', log: O('a') + O('b').slice(0, 20), lines: 0, tornIsFinal: true, wantFrom: '' },
  { name: 'empty file', log: '', lines: 3, wantFrom: '' },
  { name: 'only a torn record', log: O('a').slice(0, -1), lines: 3, wantFrom: O('a').slice(0, -1) },
];

for (const c of cases) {
  test(`tail: ${c.name}`, async () => {
    const buf = Buffer.from(c.log);
    const query = { size: buf.length, lines: c.lines, streams: c.streams ?? 3, tornIsFinal: c.tornIsFinal ?? false };
    const want = c.wantFrom === '' ? buf.length : Buffer.byteLength(c.log.slice(0, c.log.lastIndexOf(c.wantFrom)));
    assert.equal(naiveTailStart(buf, c.lines, query.streams, query.tornIsFinal), want, 'reference implementation');
    for (const blockBytes of [16, 64, 64 * 1024]) {
      assert.equal(await findTailStart(memoryFile(buf), { ...query, blockBytes }), want, `block ${blockBytes}`);
    }
  });
}

test('tail across block boundaries in a file of 120k records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-'));
  try {
    const parts: Buffer[] = [];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 120_000; i++) {
      const stream = rand(5) === 0 ? 'stderr' : 'stdout';
      // mostly short lines, some longer than the small blocks below, a few P chunks
      const len = rand(50) === 0 ? 300 + rand(5000) : rand(120);
      parts.push(formatK8sLine(T, stream, rand(10) === 0, `${i}:${'x'.repeat(len)}`));
    }
    const buf = Buffer.concat(parts);
    const path = join(dir, 'ctr.log');
    const fh = await open(path, 'w+');
    try {
      await fh.writeFile(buf);
      for (const lines of [1, 10, 999, 50_000, 200_000]) {
        for (const streams of [1, 2, 3]) {
          const want = naiveTailStart(buf, lines, streams, false);
          // tiny blocks only for short tails: a whole-file walk in 1000-byte reads is slow
          for (const blockBytes of lines < 1000 ? [1000, 4096, 64 * 1024] : [64 * 1024]) {
            const got = await findTailStart(fh, { size: buf.length, lines, streams, tornIsFinal: false, blockBytes });
            assert.equal(got, want, `lines=${lines} streams=${streams} block=${blockBytes}`);
          }
        }
      }
    } finally {
      await fh.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
