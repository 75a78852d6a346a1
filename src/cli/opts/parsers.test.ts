import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyValueMap, validateEnv, validateLabel } from './key-value.ts';
import { isNoRestart, parseRestartPolicy } from './restart-policy.ts';
import { parseCpus, ramInBytes } from './mem-bytes.ts';
import { detachKeysToBytes } from './detach-keys.ts';
import { parsePortSpecs, parseExpose } from './port-specs.ts';

test('restart policies', () => {
  const cases: [string, object][] = [
    ['', {}], ['no', { Name: 'no' }], ['always', { Name: 'always' }], ['unless-stopped', { Name: 'unless-stopped' }],
    ['on-failure', { Name: 'on-failure' }], ['on-failure:3', { Name: 'on-failure', MaximumRetryCount: 3 }],
    ['on-failure:', { Name: 'on-failure' }],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseRestartPolicy(input), want, input);
  assert.throws(() => parseRestartPolicy(':3'), { message: 'invalid restart policy format: no policy provided before colon' });
  assert.throws(() => parseRestartPolicy('on-failure:x'), { message: 'invalid restart policy format: maximum retry count must be an integer' });
  assert.ok(isNoRestart({ Name: 'no' }));
  assert.ok(isNoRestart({}));
  assert.ok(!isNoRestart({ Name: 'always' }));
});

test('labels and env', () => {
  assert.equal(validateLabel('a=b'), 'a=b');
  assert.equal(validateLabel('a'), 'a');
  assert.equal(validateLabel('  a=b c'), '  a=b c');
  assert.throws(() => validateLabel(''), { message: "invalid label '': empty name" });
  assert.throws(() => validateLabel('=x'), { message: "invalid label '=x': empty name" });
  assert.throws(() => validateLabel('a b=c'), { message: "label 'a b' contains whitespaces" });
  assert.deepEqual(keyValueMap(['a=1', 'b', 'a=2', 'c=x=y']), { a: '2', b: '', c: 'x=y' });
  const lookup = (k: string): string | undefined => (k === 'HOME' ? '/root' : undefined);
  assert.equal(validateEnv('A=1', lookup), 'A=1');
  assert.equal(validateEnv('HOME', lookup), 'HOME=/root');
  assert.equal(validateEnv('NOPE', lookup), 'NOPE');
  assert.throws(() => validateEnv('=x', lookup), { message: 'invalid environment variable: =x' });
});

test('memory sizes and cpus', () => {
  const cases: [string, number][] = [
    ['1024', 1024], ['1k', 1024], ['512m', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5g', 1.5 * 1024 ** 3],
    ['10MB', 10 * 1024 ** 2], ['10MiB', 10 * 1024 ** 2], ['5b', 5], ['2 m', 2 * 1024 ** 2],
  ];
  for (const [input, want] of cases) assert.equal(ramInBytes(input), want, input);
  assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
  assert.throws(() => ramInBytes('10x'), { message: "invalid suffix: 'x'" });
  assert.throws(() => ramInBytes('10mbb'), { message: "invalid suffix: 'mbb'" });
  assert.equal(parseCpus('1.5'), 1_500_000_000);
  assert.equal(parseCpus('0.001'), 1_000_000);
  assert.equal(parseCpus('3/2'), 1_500_000_000);
  assert.throws(() => parseCpus('abc'), { message: 'failed to parse abc as a rational number' });
  assert.throws(() => parseCpus('0.0000000001'), { message: 'value is too precise' });
});

test('detach keys', () => {
  assert.deepEqual(detachKeysToBytes('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(detachKeysToBytes('a,ctrl-@,ctrl-\\,DEL'), [97, 0, 28, 127]);
  assert.throws(() => detachKeysToBytes('ctrl-1'), { message: "Unknown character: 'ctrl-1'" });
});

test('port specs', () => {
  const cases: { specs: string[]; exposed: string[]; bindings: Record<string, { HostIp: string; HostPort: string }[]> }[] = [
    { specs: ['80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } },
    { specs: ['8080:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
    { specs: ['127.0.0.1:8080:80/udp'], exposed: ['80/udp'], bindings: { '80/udp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } },
    { specs: ['127.0.0.1::80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    { specs: ['[::1]:8080:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] } },
    {
      specs: ['8000-8001:80-81'], exposed: ['80/tcp', '81/tcp'],
      bindings: { '80/tcp': [{ HostIp: '', HostPort: '8000' }], '81/tcp': [{ HostIp: '', HostPort: '8001' }] },
    },
    { specs: ['8000-8010:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] } },
    { specs: ['80:80', '81:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '80' }, { HostIp: '', HostPort: '81' }] } },
    { specs: ['published=8080,target=80,protocol=udp'], exposed: ['80/udp'], bindings: { '80/udp': [{ HostIp: '', HostPort: '8080' }] } },
  ];
  for (const c of cases) {
    const got = parsePortSpecs(c.specs);
    assert.deepEqual(Object.keys(got.exposed), c.exposed, c.specs.join(' '));
    assert.deepEqual(got.bindings, c.bindings, c.specs.join(' '));
  }
  const errors: [string, string][] = [
    ['abc', 'invalid containerPort: abc'], ['x:80', 'invalid hostPort: x'], ['80/foo', 'invalid proto: foo'],
    ['1.2.3:80:80', 'invalid IP address: 1.2.3'], ['8000-8001:80-82', 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001'],
    ['8080:', 'no port specified: 8080:<empty>'],
  ];
  for (const [spec, msg] of errors) assert.throws(() => parsePortSpecs([spec]), { message: msg }, spec);
  const exposed: Record<string, object> = {};
  parseExpose(['90', '100-101/udp'], exposed);
  assert.deepEqual(Object.keys(exposed), ['90/tcp', '100/udp', '101/udp']);
  assert.throws(() => parseExpose(['1:2'], {}), { message: 'invalid port format for --expose: 1:2' });
});
