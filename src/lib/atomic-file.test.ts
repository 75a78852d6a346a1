import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './atomic-file.ts';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'berth-test-atomic-'));
}

test('writeFileAtomic: replaces the content, leaves no temp file, durable or not', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'state.json');
    for (const durable of [true, false]) {
      writeFileSync(p, 'old');
      await writeFileAtomic(p, `new ${durable}`, { durable });
      assert.equal(readFileSync(p, 'utf8'), `new ${durable}`);
      assert.deepEqual(readdirSync(dir), ['state.json']);
    }
    await writeFileAtomic(p, Buffer.from([0, 1, 2]), { mode: 0o640 });
    assert.deepEqual([...readFileSync(p)], [0, 1, 2]);
    assert.equal(statSync(p).mode & 0o777, 0o640);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: a missing directory is an error, and nothing is left', async () => {
  const dir = scratch();
  try {
    await assert.rejects(writeFileAtomic(join(dir, 'nope', 'f'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeJsonAtomic and readJsonFile round-trip; a missing file reads as undefined', async () => {
  const dir = scratch();
  try {
    const p = join(dir, 'v.json');
    assert.equal(await readJsonFile(p), undefined);
    await writeJsonAtomic(p, { a: [1, 'two'] });
    assert.deepEqual(await readJsonFile(p), { a: [1, 'two'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
