import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHost, resolveHostUrl, DEFAULT_HOST } from './host.ts';

test('host resolution order: option, BERTH_HOST, DOCKER_HOST, default', () => {
  assert.equal(resolveHostUrl('unix:///a', { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), 'unix:///a');
  assert.equal(resolveHostUrl(undefined, { BERTH_HOST: 'unix:///b', DOCKER_HOST: 'unix:///c' }), 'unix:///b');
  assert.equal(resolveHostUrl(undefined, { BERTH_HOST: '', DOCKER_HOST: 'unix:///c' }), 'unix:///c');
  assert.equal(resolveHostUrl(undefined, {}), DEFAULT_HOST);
});

test('parseHost', () => {
  const cases: [string, object][] = [
    ['unix:///run/berth/berth.sock', { kind: 'unix', socketPath: '/run/berth/berth.sock', url: 'unix:///run/berth/berth.sock' }],
    ['unix://', { kind: 'unix', socketPath: '/run/berth/berth.sock', url: 'unix:///run/berth/berth.sock' }],
    ['/tmp/x.sock', { kind: 'unix', socketPath: '/tmp/x.sock', url: 'unix:///tmp/x.sock' }],
    ['tcp://10.0.0.1:2376', { kind: 'tcp', hostname: '10.0.0.1', port: 2376, url: 'tcp://10.0.0.1:2376' }],
    ['tcp://example.com', { kind: 'tcp', hostname: 'example.com', port: 2375, url: 'tcp://example.com:2375' }],
    ['tcp://:3000', { kind: 'tcp', hostname: '127.0.0.1', port: 3000, url: 'tcp://127.0.0.1:3000' }],
    ['localhost:4000', { kind: 'tcp', hostname: 'localhost', port: 4000, url: 'tcp://localhost:4000' }],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseHost(input), want, input);
  assert.throws(() => parseHost('ssh://me@host'), /unsupported protocol/);
  assert.throws(() => parseHost('tcp://host:99999'), /Invalid bind address format/);
});
