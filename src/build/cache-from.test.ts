import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageConfig } from '../oci/index.ts';
import { isValidParent, probeCacheFrom, restoredConfig } from './cache-from.ts';

function img(history: [string, boolean][], diffs: string[]): ImageConfig {
  return {
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: diffs },
    history: history.map(([by, empty], i) => ({ created: `2026-01-0${i + 1}T00:00:00Z`, created_by: by, ...(empty ? { empty_layer: true } : {}) })),
  };
}

const base = img([['ADD rootfs', false]], ['sha256:a']);
const src = img([['ADD rootfs', false], ['ENV A=1', true], ['RUN make', false], ['CMD x', true]], ['sha256:a', 'sha256:b']);

test('isValidParent: history and layer prefixes', () => {
  const cases: [string, ImageConfig, ImageConfig, boolean][] = [
    ['base of the source', src, base, true],
    ['empty parent (scratch)', src, img([], []), true],
    ['source without history', img([], []), base, false],
    ['parent as long as the source', base, base, false],
    ['other base layer', src, img([['ADD rootfs', false]], ['sha256:z']), false],
    ['other history entry', src, img([['ADD other', false]], ['sha256:a']), false],
    ['deeper parent', src, img([['ADD rootfs', false], ['ENV A=1', true]], ['sha256:a']), true],
  ];
  for (const [name, i, p, want] of cases) assert.equal(isValidParent(i, p), want, name);
});

test('probeCacheFrom: the next entry must be the same instruction and kind', () => {
  assert.deepEqual(probeCacheFrom([src], base, 'ENV A=1', false), { kind: 'step', history: src.history![1], diffId: null });
  assert.equal(probeCacheFrom([src], base, 'ENV A=2', false), null);
  assert.equal(probeCacheFrom([src], base, 'ENV A=1', true), null);
  const afterEnv = img([['ADD rootfs', false], ['ENV A=1', true]], ['sha256:a']);
  assert.deepEqual(probeCacheFrom([src], afterEnv, 'RUN make', true), { kind: 'step', history: src.history![2], diffId: 'sha256:b' });
  // The source's last step: the source itself.
  const afterRun = img([['ADD rootfs', false], ['ENV A=1', true], ['RUN make', false]], ['sha256:a', 'sha256:b']);
  assert.deepEqual(probeCacheFrom([img([], []), src], afterRun, 'CMD x', false), { kind: 'image', config: src });
  // A parent that diverged (own timestamps) does not match.
  const own = img([['ADD rootfs', false], ['ENV A=1', true]], ['sha256:a']);
  own.history![1]!.created = '2027-01-01T00:00:00Z';
  assert.equal(probeCacheFrom([src], own, 'RUN make', true), null);
});

test('restoredConfig: the step config with the source entry and layer', () => {
  const afterEnv = img([['ADD rootfs', false], ['ENV A=1', true]], ['sha256:a']);
  const next = { ...afterEnv, config: { Env: ['A=1'] } };
  const out = restoredConfig(next, afterEnv, { history: src.history![2]!, diffId: 'sha256:b' });
  assert.deepEqual(out.rootfs.diff_ids, ['sha256:a', 'sha256:b']);
  assert.deepEqual(out.history, src.history!.slice(0, 3));
  assert.equal(out.created, src.history![2]!.created);
  assert.deepEqual(out.config, { Env: ['A=1'] });
});
