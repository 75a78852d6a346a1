import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, inflateSync } from 'node:zlib';
import { forwardMessage, formatSyslog, frameSyslog, gelfDatagrams, gelfDocument, gelfTcpFrame, GELF_CHUNK_SIZE, type ContainerInfo, type LogMessage } from './encoders.ts';
import { extraAttributes, jsonFileAttrs, renderTag, validateAttrOptions } from './attrs.ts';
import { decodeMsgpack, encodeMsgpack, MsgpackExt } from './msgpack.ts';

const info: ContainerInfo = {
  id: 'a'.repeat(12) + 'b'.repeat(52), name: '/berth-test-web', imageId: 'sha256:' + 'c'.repeat(64), imageName: 'busybox:latest',
  command: 'sh -c echo', created: '2026-11-27T10:00:00Z', hostname: 'host1', daemonName: 'berth',
};
// 2026-11-27T17:14:43.345467Z
const msg = (line: string, stream: 'stdout' | 'stderr' = 'stdout'): LogMessage => ({ stream, line, sec: 1_795_799_683, nsec: 345_467_782, partial: false });

test('tag templates (moby ParseLogTag)', () => {
  assert.equal(renderTag(undefined, info), 'aaaaaaaaaaaa');
  assert.equal(renderTag('{{.Name}}/{{.ImageName}}/{{.FullID}}', info), `berth-test-web/busybox:latest/${info.id}`);
  assert.equal(renderTag('x-{{ .ImageID }}-{{.DaemonName}}', info), 'x-cccccccccccc-berth');
  assert.equal(renderTag('{{.Name | upper}}-{{lower .ImageName}}-{{ .Command }}', info), 'BERTH-TEST-WEB-busybox:latest-sh -c echo');
  assert.equal(renderTag('{{.Hostname}}', info), 'host1');
  assert.equal(renderTag('plain', info), 'plain');
  assert.equal(renderTag('', info, ''), '');
  assert.throws(() => renderTag('{{.Unknown}}', info), /can't evaluate field Unknown/);
  assert.throws(() => renderTag('{{shout .Name}}', info), /function "shout" not defined/);
  assert.throws(() => renderTag('{{.Name', info), /unclosed action/);
});

test('attributes: labels, labels-regex, env, env-regex (moby ExtraAttributes); json-file attrs with the tag', () => {
  const i: ContainerInfo = { ...info, labels: { 'com.example.team': 'web', 'com.example.tier': 'front', other: 'x' }, env: ['APP=shop', 'REGION=eu', 'NOEQ', 'EMPTY='] };
  assert.deepEqual(extraAttributes({}, i), {});
  assert.deepEqual(extraAttributes({ labels: 'com.example.team,missing', env: 'APP,EMPTY,NOEQ' }, i), { 'com.example.team': 'web', APP: 'shop', EMPTY: '' });
  assert.deepEqual(extraAttributes({ 'labels-regex': '^com\\.example\\.', 'env-regex': '^REG' }, i), { 'com.example.team': 'web', 'com.example.tier': 'front', REGION: 'eu' });
  assert.equal(jsonFileAttrs({}, i), null);
  assert.equal(jsonFileAttrs({ tag: '{{.Name}}', env: 'REGION', labels: 'other' }, i), '{"REGION":"eu","other":"x","tag":"berth-test-web"}');
  assert.throws(() => validateAttrOptions({ 'labels-regex': '(' }), (e: Error & { kind?: string }) => /labels-regex/.test(e.message) && e.kind === 'invalid-argument');
  assert.throws(() => validateAttrOptions({ tag: '{{.Nope}}' }), (e: Error & { kind?: string }) => e.kind === 'invalid-argument');
  // gelf: each attribute as an _field; fluentd: in the record.
  const doc = gelfDocument(msg('x'), i, 't', extraAttributes({ env: 'APP' }, i));
  assert.equal(doc._APP, 'shop');
  const rec = (decodeMsgpack(forwardMessage(msg('x'), 't', i, false, { APP: 'shop' })).value as unknown[])[2] as Record<string, string>;
  assert.equal(rec.APP, 'shop');
});

test('syslog stream framing: LF; RFC 5425 octet counting over TLS', () => {
  assert.equal(frameSyslog('<30>1 x', false).toString(), '<30>1 x\n');
  assert.equal(frameSyslog('<30>1 é', true).toString(), '9 <30>1 é\n');
});

test('forward protocol: {chunk} option when an ack is requested', () => {
  const v = decodeMsgpack(forwardMessage(msg('x'), 't', info, false, {}, 'abc=')).value as unknown[];
  assert.equal(v.length, 4);
  assert.deepEqual(v[3], { chunk: 'abc=' });
  assert.equal((decodeMsgpack(forwardMessage(msg('x'), 't', info, false)).value as unknown[]).length, 3);
});

test('syslog formats: unix, RFC 3164, RFC 5424, RFC 5424 with microseconds', () => {
  const f = { facility: 3, tag: 'web', hostname: 'host1', pid: 42 };
  const ts = new Date(1_795_799_683_000);
  const stamp = `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][ts.getUTCMonth()]} ${String(ts.getUTCDate()).padStart(2, ' ')} ${ts.toISOString().slice(11, 19)}`;
  const iso = ts.toISOString().slice(0, 19);
  const table: [Parameters<typeof formatSyslog>[1]['format'], LogMessage, string][] = [
    ['unix', msg('hello'), `<30>${stamp} web[42]: hello`],
    ['rfc3164', msg('hello'), `<30>${stamp} host1 web[42]: hello`],
    ['rfc3164', msg('bad', 'stderr'), `<27>${stamp} host1 web[42]: bad`],
    ['rfc5424', msg('hello'), `<30>1 ${iso}Z host1 web 42 web - hello`],
    ['rfc5424micro', msg('hello'), `<30>1 ${iso}.345467Z host1 web 42 web - hello`],
  ];
  for (const [format, m, want] of table) assert.equal(formatSyslog(m, { ...f, format }), want);
  assert.equal(formatSyslog(msg('x'), { ...f, facility: 23, format: 'rfc3164' }).slice(0, 5), '<190>');
});

test('GELF: document fields, small message in one gzip datagram, TCP NUL framing', () => {
  const doc = gelfDocument(msg('hello', 'stderr'), info, 'web');
  assert.equal(doc.version, '1.1');
  assert.equal(doc.host, 'host1');
  assert.equal(doc.short_message, 'hello');
  assert.equal(doc.level, 3);
  assert.equal(doc.timestamp, 1_795_799_683.345468);
  assert.equal(doc._container_name, 'berth-test-web');
  assert.equal(doc._tag, 'web');
  const [d] = gelfDatagrams(doc, 'gzip', 1);
  assert.deepEqual(JSON.parse(gunzipSync(d!).toString()), doc);
  const [z] = gelfDatagrams(doc, 'zlib', 1);
  assert.deepEqual(JSON.parse(inflateSync(z!).toString()), doc);
  const tcp = gelfTcpFrame(doc);
  assert.equal(tcp.at(-1), 0);
  assert.deepEqual(JSON.parse(tcp.subarray(0, -1).toString()), doc);
});

test('GELF chunking: magic, shared id, sequence numbers, reassembles to the message', () => {
  let s = '';
  for (let i = 0; i < 5000; i++) s += String.fromCharCode(33 + ((i * 7919) % 90));
  const doc = gelfDocument(msg(s), info, 'web');
  const parts = gelfDatagrams(doc, 'none', 0);
  assert.ok(parts.length > 1);
  const id = parts[0]!.subarray(2, 10);
  parts.forEach((p, i) => {
    assert.ok(p.length <= GELF_CHUNK_SIZE);
    assert.deepEqual([p[0], p[1]], [0x1e, 0x0f]);
    assert.deepEqual(p.subarray(2, 10), id);
    assert.equal(p[10], i);
    assert.equal(p[11], parts.length);
  });
  assert.deepEqual(JSON.parse(Buffer.concat(parts.map((p) => p.subarray(12))).toString()), doc);
  // More than 128 chunks is refused (go-gelf's limit) rather than sent broken.
  assert.throws(() => gelfDatagrams(gelfDocument(msg('x'.repeat(200_000)), info, 'web'), 'none', 0), /too large/);
});

test('forward protocol: [tag, time, record]; EventTime with sub-second precision', () => {
  const plain = decodeMsgpack(forwardMessage(msg('hello'), 'docker.web', info, false)).value as unknown[];
  assert.deepEqual(plain, ['docker.web', 1_795_799_683, { container_id: info.id, container_name: '/berth-test-web', source: 'stdout', log: 'hello' }]);
  const sub = decodeMsgpack(forwardMessage({ ...msg('p'), partial: true }, 't', info, true)).value as unknown[];
  const time = sub[1] as MsgpackExt;
  assert.equal(time.type, 0);
  assert.equal(time.data.readUInt32BE(0), 1_795_799_683);
  assert.equal(time.data.readUInt32BE(4), 345_467_782);
  assert.equal((sub[2] as Record<string, string>).partial_message, 'true');
});

test('msgpack round trip across type widths', () => {
  const values = [null, true, false, 0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 40, -1, -32, -33, -200, -70_000, -(2 ** 40), 1.5,
    '', 'a'.repeat(31), 'b'.repeat(32), 'c'.repeat(300), 'd'.repeat(70_000), Buffer.from([1, 2, 3]), Buffer.alloc(300), Buffer.alloc(70_000),
    [], Array.from({ length: 20 }, (_, i) => i), { a: 1, b: [1, 'x'] }, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])),
    new MsgpackExt(0, Buffer.alloc(8, 7)), new MsgpackExt(5, Buffer.alloc(3, 1))];
  for (const v of values) {
    const enc = encodeMsgpack(v);
    const { value, end } = decodeMsgpack(enc);
    assert.equal(end, enc.length);
    assert.deepEqual(value, v);
  }
  assert.throws(() => decodeMsgpack(encodeMsgpack('hello').subarray(0, 3)), RangeError);
  // Known bytes: fixarray of [fixstr "a", positive fixint 1].
  assert.deepEqual(encodeMsgpack(['a', 1]), Buffer.from([0x92, 0xa1, 0x61, 0x01]));
});
