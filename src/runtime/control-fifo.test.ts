import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, openSync, readSync, closeSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeControl, resizeMessage } from './control-fifo.ts';

test('writing to a control FIFO nobody reads fails fast instead of blocking a pool thread', async () => {
  const dir = mkdtempSync('/tmp/berth-test-fifo-');
  try {
    const fifo = join(dir, 'ctl');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    // More writes than libuv has pool threads: a blocking open would hang here for good.
    const results = await Promise.all(Array.from({ length: 8 }, () => writeControl(fifo, resizeMessage(30, 100))));
    assert.deepEqual(results, Array(8).fill(false));
    assert.ok(Date.now() - t0 < 1000);
    // With a reader, the message arrives.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    assert.equal(await writeControl(fifo, resizeMessage(40, 120)), true);
    const buf = Buffer.alloc(64);
    const n = readSync(reader, buf);
    closeSync(reader);
    assert.equal(buf.subarray(0, n).toString(), '1 40 120\n');
    assert.equal(await writeControl(join(dir, 'missing'), 'x'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
