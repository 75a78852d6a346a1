import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, readSync, rmSync, fstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { punchShipped } from './punch-hole.ts';

test('punchShipped frees whole blocks behind the shipped offset; what follows reads unchanged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-punch-'));
  try {
    const path = join(dir, 'capture');
    const data = Buffer.alloc(256 * 1024, 'x');
    data.write('TAIL', data.length - 4);
    writeFileSync(path, data);
    const fd = openSync(path, 'r+');
    try {
      const before = fstatSync(fd).blocks;
      const kept = await punchShipped(fd, 0, 200_000);
      if (kept === 0) { assert.fail('this filesystem cannot punch holes (the capture would grow): ' + tmpdir()); }
      assert.equal(kept, 196_608, 'rounded down to a 4 KiB block');
      assert.ok(fstatSync(fd).blocks < before, 'blocks were freed');
      assert.equal(fstatSync(fd).size, data.length, 'the size is kept: conmon appends where it did');
      const tail = Buffer.alloc(4);
      readSync(fd, tail, 0, 4, data.length - 4);
      assert.equal(tail.toString(), 'TAIL');
      const head = Buffer.alloc(4);
      readSync(fd, head, 0, 4, 0);
      assert.deepEqual([...head], [0, 0, 0, 0], 'the hole reads as zeros');
      assert.equal(await punchShipped(fd, kept, kept + 100), kept, 'less than a block: nothing to do');
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
