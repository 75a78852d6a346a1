import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readJsonLogs, rotatedFiles } from './read-json-logs.ts';

const entry = (log: string, stream = 'stdout', sec = 0): string => JSON.stringify({ log, stream, time: `2026-11-27T17:14:${String(sec).padStart(2, '0')}.000000001Z` }) + '\n';
const opts = { stdout: true, stderr: true, follow: false, tail: 'all' as const, timestamps: false, multiplex: false };

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

function chain(dir: string): string {
  const path = join(dir, 'c-json.log');
  writeFileSync(`${path}.2.gz`, gzipSync(entry('a1\n', 'stdout', 1) + entry('a2\n', 'stderr', 2)));
  writeFileSync(`${path}.1`, entry('b1\n', 'stdout', 3) + entry('b2', 'stdout', 4) + entry('-cont\n', 'stdout', 5) + 'not json\n');
  writeFileSync(path, entry('c1\n', 'stdout', 6) + entry('c2\n', 'stderr', 7));
  writeFileSync(`${path}.old`, 'ignored');
  return path;
}

test('reads the rotated chain oldest first (gzip too), streams, tail, since/until, timestamps, stdcopy frames', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonread-');
  try {
    const path = chain(dir);
    assert.deepEqual((await rotatedFiles(path)).map((p) => p.slice(dir.length + 1)), ['c-json.log.2.gz', 'c-json.log.1']);
    const all = await collect(readJsonLogs(path, opts));
    assert.equal(all.toString(), 'a1\na2\nb1\nb2-cont\nc1\nc2\n');
    assert.equal((await collect(readJsonLogs(path, { ...opts, stderr: false }))).toString(), 'a1\nb1\nb2-cont\nc1\n');
    // --tail counts the lines of the files: a P record and a junk line count as lines too.
    for (const [tail, want] of [[0, ''], [1, 'c2\n'], [3, 'c1\nc2\n'], [6, 'b1\nb2-cont\nc1\nc2\n'], [7, 'a2\nb1\nb2-cont\nc1\nc2\n'], [100, 'a1\na2\nb1\nb2-cont\nc1\nc2\n']] as const) {
      assert.equal((await collect(readJsonLogs(path, { ...opts, tail }))).toString(), want, `tail ${tail}`);
    }
    const since = Date.parse('2026-11-27T17:14:04Z') / 1000;
    assert.equal((await collect(readJsonLogs(path, { ...opts, since, until: since + 2 }))).toString(), 'b2-cont\n');
    const ts = (await collect(readJsonLogs(path, { ...opts, tail: 1, timestamps: true }))).toString();
    assert.equal(ts, '2026-11-27T17:14:07.000000001Z c2\n');
    const mux = await collect(readJsonLogs(path, { ...opts, tail: 1, multiplex: true }));
    assert.deepEqual([...mux.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
    assert.equal(mux.subarray(8).toString(), 'c2\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: reads what is appended and carries on into the new file after a rotation, until stopped', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonread-');
  try {
    const path = join(dir, 'c.log');
    writeFileSync(path, entry('f1\n'));
    let running = true;
    const it = readJsonLogs(path, { ...opts, follow: true, isRunning: () => running, pollIntervalMs: 20 });
    const got: string[] = [];
    const done = (async () => { for await (const b of it) got.push(b.toString()); })();
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(path, entry('f2\n'));
    renameSync(path, `${path}.1`);
    writeFileSync(path, entry('f3\n'));
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(path, entry('f4\n'));
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await done;
    assert.equal(got.join(''), 'f1\nf2\nf3\nf4\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow: two rotations before the follower looks again: the file in between is read too, in order', async () => {
  const dir = mkdtempSync('/tmp/berth-test-jsonread-');
  try {
    const path = join(dir, 'c.log');
    writeFileSync(path, entry('r1\n'));
    let running = true;
    const it = readJsonLogs(path, { ...opts, follow: true, isRunning: () => running, pollIntervalMs: 20 });
    const got: string[] = [];
    const done = (async () => { for await (const b of it) got.push(b.toString()); })();
    await new Promise((r) => setTimeout(r, 100));
    // One batch of the shipper: the followed file gets a line and is rotated twice (max-file 3).
    appendFileSync(path, entry('r2\n'));
    renameSync(path, `${path}.1`);
    writeFileSync(path, entry('r3\n') + entry('r4\n'));
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, entry('r5\n'));
    await new Promise((r) => setTimeout(r, 150));
    running = false;
    await done;
    assert.equal(got.join(''), 'r1\nr2\nr3\nr4\nr5\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
