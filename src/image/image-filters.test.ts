import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary } from '../api/types/index.ts';
import { filterImages } from './image-filters.ts';

function img(id: string, tags: string[], created: number, labels: Record<string, string> = {}): ImageSummary {
  return { Id: id, ParentId: '', RepoTags: tags, RepoDigests: [], Created: created, Size: 0, SharedSize: -1, Labels: labels, Containers: -1 };
}
const list = [
  img('a', ['busybox:latest', 'busybox:1.36'], 30, { tier: 'base' }),
  img('b', ['team/app:v1'], 20, { tier: 'app' }),
  img('c', [], 10),
];
const created = (ref: string): number => list.find((i) => i.Id === ref || i.RepoTags.includes(ref))!.Created;
const ids = (f: Record<string, string[]>): string[] => filterImages(list, f, created).map((i) => i.Id);

test('image filters', () => {
  assert.deepEqual(ids({}), ['a', 'b', 'c']);
  assert.deepEqual(ids({ reference: ['busybox'] }), ['a']);
  assert.deepEqual(ids({ reference: ['busybox:1.*'] }), ['a']);
  assert.deepEqual(ids({ reference: ['team/*'] }), ['b']);
  assert.deepEqual(ids({ reference: ['*'] }), ['a']); // '*' does not cross '/'
  assert.deepEqual(ids({ dangling: ['true'] }), ['c']);
  assert.deepEqual(ids({ dangling: ['false'] }), ['a', 'b']);
  assert.deepEqual(ids({ label: ['tier=app'] }), ['b']);
  assert.deepEqual(ids({ label: ['tier'] }), ['a', 'b']);
  assert.deepEqual(ids({ before: ['team/app:v1'] }), ['c']);
  assert.deepEqual(ids({ since: ['team/app:v1'] }), ['a']);
  assert.throws(() => ids({ color: ['red'] }), /invalid filter 'color'/);
  // A reference filter narrows RepoTags to the matching tags.
  assert.deepEqual(filterImages(list, { reference: ['busybox:1.36'] }, created).map((i) => i.RepoTags), [['busybox:1.36']]);
  assert.deepEqual(filterImages(list, { reference: ['busybox', 'team/app'] }, created).map((i) => i.RepoTags), [['busybox:latest', 'busybox:1.36'], ['team/app:v1']]);
  assert.deepEqual(ids({ reference: ['busybox'], label: ['tier=app'] }), []);
  assert.deepEqual(ids({ dangling: ['1'] }), ['c']);
  assert.deepEqual(ids({ 'label!': ['tier=app'] }), ['a', 'c']);
  assert.deepEqual(ids({ until: ['25'] }), ['b', 'c']);
  assert.deepEqual(ids({ until: ['1970-01-01T00:00:15Z'] }), ['c']);
  assert.throws(() => ids({ until: ['yesterday'] }), /failed to parse value as time or duration/);
  assert.throws(() => ids({ dangling: ['maybe'] }), /invalid filter 'dangling=maybe'/);
});
