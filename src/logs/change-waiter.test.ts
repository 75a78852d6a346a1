import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeWaiter } from './change-waiter.ts';

test('ChangeWaiter: a write wakes a watched wait at once; unwatched, only the poll does', async () => {
  const dir = mkdtempSync('/tmp/berth-test-waiter-');
  const w = new ChangeWaiter(400, undefined, 5000);
  try {
    const path = join(dir, 'f.log');
    writeFileSync(path, 'a\n');
    w.watch(path);
    assert.equal(w.watching, true);
    let t0 = performance.now();
    setTimeout(() => appendFileSync(path, 'b\n'), 30);
    await w.wait();
    assert.ok(performance.now() - t0 < 1000, 'woken by the write, not the 5 s backstop');

    // A second waiter, armed then disarmed: nothing pending from the writes above.
    const u = new ChangeWaiter(400, undefined, 5000);
    try {
      u.watch(path);
      u.unwatch();
      assert.equal(u.watching, false);
      t0 = performance.now();
      setTimeout(() => appendFileSync(path, 'c\n'), 30);
      await u.wait();
      const waited = performance.now() - t0;
      assert.ok(waited >= 350, `unwatched: the write must not wake it (woke after ${Math.round(waited)} ms)`);
      u.watch(path);
      assert.equal(u.watching, true);
    } finally {
      u.close();
    }
  } finally {
    w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
