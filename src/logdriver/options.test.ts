import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileOptions, parseAddress, parseSize, resolveLogConfig, syslogOptions, validateLogConfig, gelfOptions, fluentdOptions, bufferLimit } from './options.ts';

test('validateLogConfig: accepted configurations', () => {
  const good: [string, Record<string, string>][] = [
    ['json-file', {}], ['json-file', { 'max-size': '10m', 'max-file': '3', compress: 'true', tag: '{{.Name}}' }], ['local', { 'max-size': '1k' }],
    ['none', {}], ['syslog', { 'syslog-address': 'tcp://127.0.0.1:514', 'syslog-format': 'rfc5424', 'syslog-facility': 'local7' }],
    ['gelf', { 'gelf-address': 'udp://10.0.0.1:12201', 'gelf-compression-type': 'zlib' }], ['fluentd', { 'fluentd-address': 'localhost:24224', 'fluentd-async': 'true' }],
    ['json-file', { mode: 'non-blocking', 'max-buffer-size': '4m' }], ['k8s-file', {}],
  ];
  for (const [Type, Config] of good) assert.doesNotThrow(() => validateLogConfig({ Type, Config }), `${Type} ${JSON.stringify(Config)}`);
});

test('validateLogConfig: Docker\'s messages for bad input', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ['splunk', {}, /^logger: no log driver named 'splunk' is registered$/],
    ['json-file', { bogus: '1' }, /^unknown log opt 'bogus' for json-file log driver$/],
    ['local', { tag: 'x' }, /^unknown log opt 'tag' for log driver local$/],
    ['syslog', { 'gelf-address': 'x' }, /^unknown log opt 'gelf-address' for syslog log driver$/],
    ['none', { 'max-size': '1k' }, /unknown log opt 'max-size' for none log driver/],
    ['json-file', { mode: 'fast' }, /logger option 'mode' must be one of "blocking" or "non-blocking"/],
    ['json-file', { 'max-buffer-size': '1m' }, /only valid with "non-blocking" mode/],
    ['json-file', { 'max-file': '0' }, /max-file cannot be less than 1/],
    ['json-file', { 'max-size': 'lots' }, /invalid max-size 'lots'/],
    ['json-file', { 'max-file': '1', compress: 'true' }, /compression cannot be enabled when max file count is 1/],
    ['syslog', { 'syslog-facility': 'kitchen' }, /^invalid syslog facility$/],
    ['syslog', { 'syslog-format': 'rfc9999' }, /^Invalid syslog format: rfc9999$/],
    ['syslog', { 'syslog-address': 'http://x' }, /unsupported protocol 'http'/],
    ['gelf', {}, /^gelf-address is a required parameter$/],
    ['gelf', { 'gelf-address': 'http://x:1' }, /gelf: endpoint needs to be TCP or UDP/],
    ['gelf', { 'gelf-address': 'udp://x:1', 'gelf-compression-type': 'lz4' }, /unknown gelf compression type "lz4"/],
    ['fluentd', { 'fluentd-async': 'maybe' }, /invalid fluentd-async 'maybe'/],
  ];
  for (const [Type, Config, re] of bad) assert.throws(() => validateLogConfig({ Type, Config }), (e: Error & { kind?: string }) => re.test(e.message) && e.kind === 'invalid-argument', `${Type} ${JSON.stringify(Config)}`);
});

test('file options: berth rotates by default (20m × 5); local compresses by default', () => {
  assert.deepEqual(fileOptions('json-file', {}), { maxSize: 20_000_000, maxFile: 5, compress: false });
  assert.deepEqual(fileOptions('local', {}), { maxSize: 20_000_000, maxFile: 5, compress: true });
  assert.deepEqual(fileOptions('json-file', { 'max-size': '10k', 'max-file': '1' }), { maxSize: 10_000, maxFile: 1, compress: false });
  assert.deepEqual(fileOptions('json-file', { 'max-size': '-1' }), { maxSize: 0, maxFile: 1, compress: false });
  assert.equal(parseSize('1.5m', 'x', 1000), 1_500_000);
  assert.equal(parseSize('64k', 'x', 1024), 65_536);
  assert.equal(bufferLimit({ mode: 'non-blocking' }), 1 << 20);
  assert.equal(bufferLimit({ mode: 'non-blocking', 'max-buffer-size': '2k' }), 2048);
});

test('addresses', () => {
  assert.deepEqual(parseAddress('tcp://1.2.3.4:601', 'a', { proto: 'udp', port: 514 }, ['tcp', 'udp']), { proto: 'tcp', host: '1.2.3.4', port: 601, path: '' });
  assert.deepEqual(parseAddress('udp://[::1]', 'a', { proto: 'udp', port: 514 }, ['tcp', 'udp']), { proto: 'udp', host: '::1', port: 514, path: '' });
  assert.deepEqual(parseAddress('localhost:24224', 'a', { proto: 'tcp', port: 24224 }, ['tcp']), { proto: 'tcp', host: 'localhost', port: 24224, path: '' });
  assert.deepEqual(parseAddress('unix:///dev/log', 'a', { proto: 'udp', port: 514 }, ['unix']), { proto: 'unix', host: '', port: 0, path: '/dev/log' });
  assert.throws(() => parseAddress('unixgram:///dev/log', 'a', { proto: 'udp', port: 514 }, ['unix']), /unixgram/);
  assert.throws(() => parseAddress('tcp://h:99999', 'a', { proto: 'udp', port: 514 }, ['tcp']), /invalid port/);
  assert.equal(syslogOptions({}).facility, 3);
  assert.equal(syslogOptions({ 'syslog-facility': 'local0' }).facility, 16);
  assert.equal(gelfOptions({ 'gelf-address': 'tcp://h:12201' }).compression, 'none');
  assert.equal(fluentdOptions({ 'fluentd-async-connect': 'true' }).async, true);
});

test('resolveLogConfig: the daemon default applies to containers that name no driver', () => {
  const def = { Type: 'local', Config: { 'max-size': '1m' } };
  assert.deepEqual(resolveLogConfig(undefined, def), def);
  assert.deepEqual(resolveLogConfig({ Type: '', Config: {} }, def), def);
  assert.deepEqual(resolveLogConfig({ Type: 'local', Config: {} }, def), def);
  assert.deepEqual(resolveLogConfig({ Type: 'local', Config: { 'max-file': '2' } }, def), { Type: 'local', Config: { 'max-file': '2' } });
  assert.deepEqual(resolveLogConfig({ Type: 'json-file', Config: {} }, def), { Type: 'json-file', Config: {} });
});
