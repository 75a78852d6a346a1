import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayMemo, memoEligible, memoKey, memoValid, type MemoEntry } from './replay-memo.ts';
import type { BuildRequest } from '../api/types/index.ts';

const base: BuildRequest = {
  dockerfile: 'Dockerfile', tags: ['a'], buildArgs: {}, labels: {}, target: '', noCache: false, rm: true, forceRm: false,
  quiet: false, extraHosts: [], cacheFrom: [], pull: false,
};

test('memoKey: tags, -q and --no-cache do not change the key; options that change the result do', () => {
  const k = memoKey('d1', base);
  assert.equal(memoKey('d1', { ...base, tags: ['b', 'c'], quiet: true, noCache: true, registryConfig: 'x' }), k);
  const cases: Partial<BuildRequest>[] = [
    { buildArgs: { A: '1' } }, { labels: { l: 'v' } }, { target: 't' }, { dockerfile: 'Other' }, { networkMode: 'none' },
    { extraHosts: ['h:1.2.3.4'] }, { cacheFrom: ['img'] }, { platform: 'linux/amd64' }, { forceRm: true },
  ];
  for (const c of cases) assert.notEqual(memoKey('d1', { ...base, ...c }), k, JSON.stringify(c));
  assert.notEqual(memoKey('d2', base), k);
});

test('memoEligible: not with --pull, secrets or ssh', () => {
  assert.equal(memoEligible(base), true);
  assert.equal(memoEligible({ ...base, pull: true }), false);
  assert.equal(memoEligible({ ...base, secrets: ['s'] }), false);
  assert.equal(memoEligible({ ...base, ssh: ['default'] }), false);
});

test('memoValid: every dependency and cache record must be unchanged', () => {
  const e: MemoEntry = { deps: [{ ref: 'busybox', id: 'sha256:b', via: 'images' }, { ref: 'gone', id: null, via: 'images' }], keys: [['k1', 's1'], ['k2', 's2']], stepId: 's2', transcript: null };
  const images = new Map([['busybox', 'sha256:b']]);
  const cache = new Map([['k1', 's1'], ['k2', 's2']]);
  const steps = new Set(['s1', 's2']);
  const l = { resolve: (r: string) => images.get(r) ?? null, cacheGet: (k: string) => cache.get(k), hasStep: (id: string) => steps.has(id) };
  assert.equal(memoValid(e, l), true);
  images.set('busybox', 'sha256:c');
  assert.equal(memoValid(e, l), false);
  images.set('busybox', 'sha256:b');
  images.set('gone', 'sha256:new');
  assert.equal(memoValid(e, l), false, 'an image that was missing now exists');
  images.delete('gone');
  cache.set('k1', 's9');
  assert.equal(memoValid(e, l), false);
  cache.set('k1', 's1');
  steps.delete('s2');
  assert.equal(memoValid(e, l), false);
});

test('ReplayMemo keeps the most recently used entries', () => {
  const m = new ReplayMemo(2);
  const e = (s: string): MemoEntry => ({ deps: [], keys: [], stepId: s, transcript: null });
  m.set('a', e('a')); m.set('b', e('b'));
  assert.equal(m.get('a')?.stepId, 'a');
  m.set('c', e('c'));
  assert.equal(m.get('b'), undefined);
  assert.equal(m.size, 2);
  m.clear();
  assert.equal(m.get('a'), undefined);
});
