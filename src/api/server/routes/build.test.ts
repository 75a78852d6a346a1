import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange } from '../exchange.ts';
import { parseBuildQuery } from './build.ts';

function fake(query: string, headers: Record<string, string> = {}): Exchange {
  const q = new URLSearchParams(query);
  return {
    query: q,
    req: { headers },
    bool(name: string, def = false): boolean {
      const v = q.get(name);
      if (v === null || v === '') return def;
      return !(v === '0' || v.toLowerCase() === 'false');
    },
  } as unknown as Exchange;
}

test('POST /build query, as the docker CLI and docker-py send it', () => {
  const o = parseBuildQuery(fake('t=a%3Av1&t=b&dockerfile=sub%2FDockerfile.dev&buildargs=%7B%22A%22%3A%221%22%2C%22B%22%3Anull%7D'
    + '&labels=%7B%22l%22%3A%22v%22%7D&target=build&nocache=1&rm=0&forcerm=1&q=1&networkmode=host&extrahosts=h1%3A1.2.3.4%2Ch2%3A5.6.7.8'
    + '&cachefrom=%5B%22img%22%5D&pull=1&platform=linux%2Famd64'));
  assert.deepEqual(o, {
    dockerfile: 'sub/Dockerfile.dev', tags: ['a:v1', 'b'], buildArgs: { A: '1', B: null }, labels: { l: 'v' }, target: 'build',
    noCache: true, rm: false, forceRm: true, quiet: true, networkMode: 'host', extraHosts: ['h1:1.2.3.4', 'h2:5.6.7.8'],
    cacheFrom: ['img'], pull: true, platform: 'linux/amd64',
  });
  const s = parseBuildQuery(fake('secrets=%5B%22tok%22%2C%22npm%22%5D', { 'x-registry-config': 'e30' }));
  assert.deepEqual([s.secrets, s.registryConfig], [['tok', 'npm'], 'e30']);
  const k = parseBuildQuery(fake('ssh=%5B%22default%22%2C%22gh%22%5D&session=abc'));
  assert.deepEqual([k.ssh, k.session], [['default', 'gh'], 'abc']);
  assert.equal(parseBuildQuery(fake('session=abc')).session, undefined, 'a session without ssh ids is not kept');
  const d = parseBuildQuery(fake('networkmode=default'));
  assert.deepEqual([d.dockerfile, d.tags, d.rm, d.noCache, d.networkMode, d.target], ['Dockerfile', [], true, false, undefined, '']);
});

test('POST /build: bad parameters and unsupported modes', () => {
  assert.throws(() => parseBuildQuery(fake('buildargs=%7Bnot-json')), /invalid buildargs parameter/);
  assert.throws(() => parseBuildQuery(fake('remote=https://example.com/repo.git')), /remote context/);
  assert.throws(() => parseBuildQuery(fake('version=2')), /BuildKit/);
  assert.throws(() => parseBuildQuery(fake('secrets=%7B%7D')), /invalid secrets parameter/);
  assert.throws(() => parseBuildQuery(fake('secrets=%5B%22%22%5D')), /invalid secrets parameter/);
  assert.throws(() => parseBuildQuery(fake('ssh=%5B%22default%22%5D')), /needs a build session/);
  assert.throws(() => parseBuildQuery(fake('ssh=%5B1%5D&session=a')), /invalid ssh parameter/);
});
