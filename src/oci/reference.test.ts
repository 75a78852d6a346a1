import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeReference, parseReference } from './reference.ts';

const cases: { input: string; want: string }[] = [
  { input: 'busybox', want: 'busybox:latest' },
  { input: 'busybox:1.36', want: 'busybox:1.36' },
  { input: 'docker.io/library/busybox', want: 'busybox:latest' },
  { input: 'docker.io/foo/bar:x', want: 'foo/bar:x' },
  { input: 'localhost:5000/app', want: 'localhost:5000/app:latest' },
  { input: 'registry.example.com/a/b/c:v1', want: 'registry.example.com/a/b/c:v1' },
  { input: 'app@sha256:' + 'a'.repeat(64), want: 'app@sha256:' + 'a'.repeat(64) },
];
for (const c of cases) {
  test(`normalize ${c.input}`, () => assert.equal(normalizeReference(c.input), c.want));
}

const bad = ['', 'UPPER', 'a:b:c', 'foo/Bar', 'x@sha256:short', 'a//b', '-a'];
for (const b of bad) {
  test(`reject ${JSON.stringify(b)}`, () => assert.throws(() => parseReference(b), /invalid reference format/));
}
