// The tag route's reference checks (dockerd's RepoTagReference wording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repoTagReference } from './image-service.ts';

const ok: { repo: string; tag?: string; want: string }[] = [
  { repo: 'busybox', want: 'busybox' },
  { repo: 'busybox', tag: 'v1', want: 'busybox:v1' },
  { repo: 'docker.io/library/busybox', tag: 'x', want: 'busybox:x' },
  { repo: 'localhost:5000/team/app', tag: '1.0', want: 'localhost:5000/team/app:1.0' },
];
for (const c of ok) {
  test(`repoTagReference ${c.repo} ${c.tag ?? ''}`, () => assert.equal(repoTagReference(c.repo, c.tag), c.want));
}

const bad: { repo: string; tag?: string; want: RegExp }[] = [
  { repo: 'Busybox', tag: 'x', want: /^invalid reference format: repository name must be lowercase$/ },
  { repo: 'busybox', tag: 'bad!tag', want: /^invalid tag format$/ },
  { repo: 'busybox', tag: '-x', want: /^invalid tag format$/ },
  { repo: 'a//b', want: /^invalid reference format$/ },
  { repo: `app@sha256:${'a'.repeat(64)}`, tag: 'v1', want: /^refusing to create a tag with a digest reference$/ },
];
for (const c of bad) {
  test(`repoTagReference refuses ${c.repo} ${c.tag ?? ''}`, () => {
    assert.throws(() => repoTagReference(c.repo, c.tag), (e: Error & { kind?: string }) => c.want.test(e.message));
  });
}
