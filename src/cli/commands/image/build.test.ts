import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecret } from './build.ts';

test('--secret: buildx syntax, from a file or the environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-secret-'));
  try {
    const file = join(dir, 's.txt');
    writeFileSync(file, 'from-file');
    const env = { TOKEN: 'from-env', OTHER: 'other' };
    const ok: [string, string, string][] = [
      [`id=a,src=${file}`, 'a', 'from-file'],
      [`id=a,source=${file}`, 'a', 'from-file'],
      [`id=a,type=file,src=${file}`, 'a', 'from-file'],
      ['id=b,env=OTHER', 'b', 'other'],
      ['id=TOKEN', 'TOKEN', 'from-env'],
      ['id=c,type=env,env=TOKEN', 'c', 'from-env'],
    ];
    for (const [spec, id, content] of ok) {
      const s = await readSecret(spec, env);
      assert.equal(s.id, id, spec);
      assert.equal(s.content.toString(), content, spec);
    }
    const bad: [string, RegExp][] = [
      [`src=${file}`, /secret ID missing/],
      ['id=a,bogus', /must be a key=value pair/],
      ['id=a,foo=bar', /unexpected key 'foo'/],
      ['id=a,env=NOPE', /environment variable NOPE is not set/],
      [`id=a,src=${join(dir, 'missing')}`, /secret a: ENOENT/],
      ['id=a,type=ssh', /unsupported type "ssh"/],
    ];
    for (const [spec, re] of bad) await assert.rejects(readSecret(spec, env), re, spec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
