import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileOptions, parseAddress, parseDuration, parseSize, resolveLogConfig, syslogOptions, validateLogConfig, gelfOptions, fluentdOptions, bufferLimit, goDurationOpt, DEFAULT_FLUENTD_ACK_TIMEOUT_MS } from './options.ts';

test('validateLogConfig: accepted configurations', () => {
  const good: [string, Record<string, string>][] = [
    ['json-file', {}], ['json-file', { 'max-size': '10m', 'max-file': '3', compress: 'true', tag: '{{.Name}}' }], ['local', { 'max-size': '1k' }],
    ['none', {}], ['syslog', { 'syslog-address': 'tcp://127.0.0.1:514', 'syslog-format': 'rfc5424', 'syslog-facility': 'local7' }],
    ['gelf', { 'gelf-address': 'udp://10.0.0.1:12201', 'gelf-compression-type': 'zlib' }], ['fluentd', { 'fluentd-address': 'localhost:24224', 'fluentd-async': 'true' }],
    ['syslog', { 'syslog-address': 'tcp+tls://127.0.0.1:6514', 'syslog-tls-ca-cert': '/ca.pem', 'syslog-tls-cert': '/c.pem', 'syslog-tls-key': '/k.pem', 'syslog-tls-skip-verify': 'true' }],
    ['syslog', { 'syslog-address': 'unixgram:///dev/log', labels: 'a', env: 'B', tag: '{{.Name}}' }],
    ['gelf', { 'gelf-address': 'tcp://h:12201', 'gelf-tcp-max-reconnect': '0', 'gelf-tcp-reconnect-delay': '2', 'labels-regex': '^com\\.', 'env-regex': '^A' }],
    ['fluentd', { 'fluentd-retry-wait': '2s', 'fluentd-max-retries': '3', 'fluentd-buffer-limit': '8192', 'fluentd-sub-second-precision': 'true', 'fluentd-request-ack': 'true' }],
    ['json-file', { labels: 'a,b', 'labels-regex': 'x.*', env: 'A', 'env-regex': '^B', tag: '{{.Name | lower}}' }],
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
    ['fluentd', { 'fluentd-retry-wait': 'later' }, /invalid fluentd-retry-wait 'later'/],
    ['fluentd', { 'fluentd-max-retries': '-1' }, /fluentd-max-retries/],
    ['fluentd', { 'fluentd-request-ack': 'yes' }, /invalid fluentd-request-ack 'yes'/],
    ['gelf', { 'gelf-address': 'tcp://x:1', 'gelf-compression-type': 'gzip' }, /Compression is not supported with TCP protocol/],
    ['gelf', { 'gelf-address': 'tcp://x:1', 'gelf-tcp-max-reconnect': 'many' }, /"gelf-tcp-max-reconnect" must be a positive integer/],
    ['gelf', { 'gelf-address': 'udp://x:1', 'gelf-tcp-reconnect-delay': '1' }, /only valid with TCP/],
    ['gelf', { 'gelf-address': 'udp://x:1', 'gelf-compression-level': '10' }, /gelf-compression-level/],
    ['syslog', { 'syslog-address': 'tcp+tls://h', 'syslog-tls-key': '/k.pem' }, /syslog-tls-cert and syslog-tls-key/],
    ['json-file', { tag: '{{.Nope}}' }, /can't evaluate field Nope/],
    ['gelf', { 'gelf-address': 'udp://x:1', 'env-regex': '[' }, /env-regex/],
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
  assert.deepEqual(parseAddress('unixgram:///dev/log', 'a', { proto: 'udp', port: 514 }, ['unixgram']), { proto: 'unixgram', host: '', port: 0, path: '/dev/log' });
  assert.deepEqual(parseAddress('tcp+tls://logs.example:6514', 'a', { proto: 'udp', port: 514 }, ['tls']), { proto: 'tls', host: 'logs.example', port: 6514, path: '' });
  assert.throws(() => parseAddress('tcp+tls://h', 'a', { proto: 'udp', port: 514 }, ['tcp']), /tcp\+tls is not supported/);
  assert.throws(() => parseAddress('tcp://h:99999', 'a', { proto: 'udp', port: 514 }, ['tcp']), /invalid port/);
  assert.equal(syslogOptions({}).facility, 3);
  assert.equal(syslogOptions({}).address, null);
  assert.deepEqual(syslogOptions({ 'syslog-address': 'tcp+tls://h', 'syslog-tls-ca-cert': '/ca.pem', 'syslog-tls-skip-verify': '' }).tls, { ca: '/ca.pem', skipVerify: true });
  // As moby: present means skip, whatever the value; absent means verify.
  for (const v of ['false', '0', 'true', '1', 'no']) assert.deepEqual(syslogOptions({ 'syslog-tls-skip-verify': v }).tls, { skipVerify: true }, v);
  assert.deepEqual(syslogOptions({}).tls, { skipVerify: false });
  assert.throws(() => syslogOptions({ 'syslog-tls-cert': '/c.pem' }), /syslog-tls-cert and syslog-tls-key/);
  assert.deepEqual(gelfOptions({ 'gelf-address': 'tcp://h:12201', 'gelf-tcp-max-reconnect': '5', 'gelf-tcp-reconnect-delay': '2' }).retry, { delayMs: 2000, factor: 1, maxDelayMs: 2000, maxRetries: 5 });
  assert.equal(gelfOptions({ 'gelf-address': 'tcp://h:12201' }).retry.maxRetries, 3);
  const fl = fluentdOptions({ 'fluentd-retry-wait': '500ms', 'fluentd-max-retries': '4', 'fluentd-request-ack': 'true', 'fluentd-sub-second-precision': 'true', 'fluentd-buffer-limit': '2048' });
  assert.deepEqual([fl.retry, fl.requestAck, fl.subSecond, fl.bufferLimit], [{ delayMs: 500, factor: 1.5, maxDelayMs: 60_000, maxRetries: 4 }, true, true, 2048 * 1024]);
  assert.equal(fluentdOptions({}).retry.maxRetries, 2 ** 31 - 1);
  assert.equal(fluentdOptions({ 'fluentd-buffer-limit': '8m' }).bufferLimit, 8 << 20);
  assert.equal(parseDuration('1m30s', 'x'), 90_000);
  assert.equal(parseDuration('250', 'x'), 250);
  assert.throws(() => parseDuration('soon', 'x'), /invalid x 'soon'/);
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

test('fluentd-read-timeout: a Go duration, non-negative (moby parseConfig wording); unset → berth\'s ack timeout', () => {
  const good: [string, number][] = [['0', 0], ['100ms', 100], ['10s', 10_000], ['1m30s', 90_000], ['1.5s', 1500], ['250us', 0.25], ['-0s', 0]];
  for (const [v, ms] of good) assert.equal(goDurationOpt(v, 'fluentd-read-timeout'), ms, v);
  const bad: [string, RegExp][] = [
    ['1', /invalid value for fluentd-read-timeout: value must be a duration: time: missing unit in duration "1"$/],
    ['soon', /invalid value for fluentd-read-timeout: value must be a duration: time: invalid duration "soon"$/],
    ['-1s', /invalid value for fluentd-read-timeout: value must be a duration that is non-negative$/],
  ];
  for (const [v, re] of bad) assert.throws(() => validateLogConfig({ Type: 'fluentd', Config: { 'fluentd-read-timeout': v } }), re, v);
  assert.equal(fluentdOptions({}).ackTimeoutMs, DEFAULT_FLUENTD_ACK_TIMEOUT_MS);
  assert.equal(fluentdOptions({ 'fluentd-read-timeout': '' }).ackTimeoutMs, DEFAULT_FLUENTD_ACK_TIMEOUT_MS);
  assert.equal(fluentdOptions({ 'fluentd-read-timeout': '2s' }).ackTimeoutMs, 2000);
  assert.equal(fluentdOptions({ 'fluentd-read-timeout': '0' }).ackTimeoutMs, 0);
});
