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

// More of distribution/reference's grammar (what `docker tag` and the API accept or refuse).
const more: { input: string; want: string }[] = [
  { input: 'index.docker.io/library/busybox:1', want: 'busybox:1' },
  { input: 'docker.io/library/a/b', want: 'library/a/b:latest' },
  { input: 'a_b.c-d__e/f---g:T.a_g-1', want: 'a_b.c-d__e/f---g:T.a_g-1' },
  { input: 'localhost/app', want: 'localhost/app:latest' },
  { input: 'MyReg.example.com:5000/x', want: 'MyReg.example.com:5000/x:latest' },
  { input: `app:${'t'.repeat(128)}`, want: `app:${'t'.repeat(128)}` },
  { input: `app:v1@sha256:${'b'.repeat(64)}`, want: `app@sha256:${'b'.repeat(64)}` },
];
for (const c of more) {
  test(`normalize ${c.input.slice(0, 40)}`, () => assert.equal(normalizeReference(c.input), c.want));
}

const moreBad: { input: string; why: RegExp }[] = [
  { input: 'Busybox', why: /repository name must be lowercase/ },
  { input: 'x/Y', why: /repository name must be lowercase/ },
  { input: `app:${'t'.repeat(129)}`, why: /invalid reference format/ },
  { input: 'app:-tag', why: /invalid reference format/ },
  { input: 'app:.tag', why: /invalid reference format/ },
  { input: 'a..b', why: /invalid reference format/ },
  { input: 'a/', why: /invalid reference format/ },
  { input: 'a:', why: /invalid reference format/ },
  { input: '@sha256:' + 'a'.repeat(64), why: /invalid reference format/ },
  { input: 'app@sha256:XYZ', why: /invalid reference format/ },
  { input: 'x'.repeat(256), why: /invalid reference format/ },
];
for (const c of moreBad) {
  test(`reject ${JSON.stringify(c.input.slice(0, 40))}`, () => assert.throws(() => parseReference(c.input), c.why));
}
